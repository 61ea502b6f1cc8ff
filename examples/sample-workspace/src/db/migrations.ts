import { withClient } from './pool';

const LOCK_ID = 7_240_113;

export async function migrate(steps: { name: string; sql: string }[]): Promise<void> {
  await withClient(async (c) => {
    await c.query("SET lock_timeout = '5s'");
    await c.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    try {
      for (const step of steps) {
        await c.query('BEGIN');
        await c.query(step.sql);
        await c.query('INSERT INTO schema_migrations(name) VALUES ($1)', [step.name]);
        await c.query('COMMIT');
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]);
    }
  });
}
