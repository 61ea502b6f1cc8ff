import pg from 'pg';

export const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  // one connection per worker thread; requests queue on the pool, not on Postgres
  max: Number(process.env.DB_POOL_MAX ?? 8),
  idleTimeoutMillis: 240_000,
  connectionTimeoutMillis: 5_000,
  ssl: process.env.DB_SSL === 'off' ? false : { rejectUnauthorized: true },
});

export async function withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

export async function closePool(): Promise<void> {
  await pool.end();
}
