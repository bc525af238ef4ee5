import test from 'ava';
import {SimulatedStore} from '../../bench/fleet/simulated-store.js';
import {systemClock} from '../../source/lib/clock.js';
import {defineConformance} from './store-conformance.js';

// With latency on (a tenth of AWS's, in real time), so that concurrent writers really overlap.
const latency = {
	read: {medianMs: 1.5, p99Ms: 10},
	write: {medianMs: 2.5, p99Ms: 15},
	list: {medianMs: 4, p99Ms: 20},
	delete: {medianMs: 2, p99Ms: 12},
	bulkDelete: {medianMs: 6, p99Ms: 30},
	bandwidth: 900e6,
};

defineConformance(test, 'simulated', async () => new SimulatedStore({clock: systemClock, latency}));
