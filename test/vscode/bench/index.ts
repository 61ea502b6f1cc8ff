// extensionTestsPath of `npm run bench:editor`: the same runner as the integration suite, over the
// *.test.js files beside this one (the editor at scale; a measurement, slow, not part of npm test).
export { run } from '../suite/index';
