/** Entry of the webview bundle: the host's HTML says which page this is (`<body data-view>`), nothing else. */
import './styles.css';
import { startRetentionTree } from './retentionTree';
import { startSidebar } from './sidebar';

const app = document.getElementById('app');
if (app) {
  if (document.body.dataset.view === 'sidebar') startSidebar(app);
  else startRetentionTree(app);
}
