import test from 'ava';
import {awsLikeLatency, SimulatedStore, scaledLatency} from '../../bench/fleet/simulated-store.js';
import {systemClock} from '../../source/lib/clock.js';
import {defineConformance} from './store-conformance.js';

// With latency on (a tenth of AWS's, in real time), so that concurrent writers really overlap.
const latency = scaledLatency(awsLikeLatency, 0.1);

defineConformance(test, 'simulated', async () => new SimulatedStore({clock: systemClock, latency}));
