import test from 'ava';
import {LocalStore} from '../../source/storage/local-store.js';
import {defineConformance} from './store-conformance.js';
import {tempDir} from '../support/temp.js';

defineConformance(test, 'local', async () => new LocalStore({root: await tempDir('bf-local-')}));
