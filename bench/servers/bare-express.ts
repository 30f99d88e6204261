/** The baseline: Express answering a hello route, with nothing in front of it. */
import express from 'express';
import { announce } from './announce.js';

const app = express();
app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});
const server = app.listen(0, '127.0.0.1', () => announce(server));
