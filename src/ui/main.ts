import { mount } from 'svelte';
import App from './App.svelte';
import { MAX_FILE_BYTES } from '../sim/schema.ts';
import { readFragment } from './state/link.ts';
import './app.css';

// A scenario in the link's fragment is compressed: unpack it before the first simulation, so the first paint shows it.
const linked = await readFragment(location.hash, MAX_FILE_BYTES);
mount(App, { target: document.getElementById('app')!, props: { linked } });
