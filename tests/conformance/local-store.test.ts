import {mkdtemp} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import {LocalStore} from '../../source/storage/local-store.js';
import {defineConformance} from './store-conformance.js';

defineConformance(test, 'local', async () => new LocalStore({root: await mkdtemp(path.join(os.tmpdir(), 'bf-local-'))}));
