// The setup lane (contract §8): host profile, scheduler files, config apply, OS registration.
// Pure Node (never vscode); `dream setup` and "Dream: Setup" are thin surfaces over this barrel.
export * from './hostProfile';
export * from './runners';
export * from './plan';
export * from './register';
export * from './configFile';
export * from './schedulers';
export * from './render';
export * from './nightly';
