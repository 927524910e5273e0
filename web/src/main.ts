import { mount } from 'svelte';
import App from './App.svelte';
import { locale } from './lib/locale.svelte.ts';
import './app.css';

document.documentElement.lang = locale.current;

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element to mount into');

export default mount(App, { target });
