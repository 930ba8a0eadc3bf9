/** Node globals that simple-peer 9 and its stream dependencies expect in the browser. */
export { Buffer } from 'buffer';
export { default as process } from 'process';
