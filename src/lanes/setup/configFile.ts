// Merging setup's choices into .agents/dream/config.yaml: the yaml Document API keeps every other
// key, the comments and the key spelling already there (schedule_at stays schedule_at).
import YAML from 'yaml';
import type { DreamSettings } from '../../engine';

export type ConfigValues = Partial<Pick<DreamSettings, 'scheduler' | 'scheduleAt' | 'runners' | 'keepAwake'>>;

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

export function mergeConfigText(current: string | null, values: ConfigValues): string {
  const doc = YAML.parseDocument(current ?? '');
  if (doc.errors.length) throw new Error(`.agents/dream/config.yaml is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (doc.contents === null || doc.contents === undefined) {
    doc.contents = doc.createNode({}) as never;
    if (!current?.trim()) doc.commentBefore = ' Dream settings (see the README); `dream setup --apply` keeps your other keys and comments.';
  }
  if (!YAML.isMap(doc.contents)) throw new Error('.agents/dream/config.yaml: expected a mapping with a "dream:" block');
  let block = doc.get('dream', true);
  if (block === undefined || block === null || (YAML.isScalar(block) && block.value === null)) {
    doc.set('dream', doc.createNode({}));
    block = doc.get('dream', true);
  }
  if (!YAML.isMap(block)) throw new Error('.agents/dream/config.yaml: "dream" must be a mapping');
  const keys = block.items.map((p) => String(YAML.isScalar(p.key) ? p.key.value : p.key));
  const snakeStyle = keys.some((k) => k.includes('_'));
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const name = block.has(key) ? key : block.has(snake(key)) || snakeStyle ? snake(key) : key;
    const old = block.get(name, true);
    if (YAML.isScalar(old) && !Array.isArray(value)) {
      old.value = value; // keeps its quoting style and comments
      continue;
    }
    const node = doc.createNode(value);
    if (YAML.isSeq(node)) node.flow = true;
    if (YAML.isScalar(node) && typeof value === 'string' && /^\d\d:\d\d$/.test(value)) node.type = 'QUOTE_DOUBLE';
    block.set(name, node);
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
