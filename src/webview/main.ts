/** Entry of the webview bundle: the host's HTML says which page this is (`<body data-view>`), nothing else. */
import './styles.css';
import { startComparison } from './comparison';
import { startRetentionTree } from './retentionTree';
import { startSidebar } from './sidebar';
import { startSnapshotFile } from './snapshotFile';

const app = document.getElementById('app');
if (app) {
  const view = document.body.dataset.view;
  if (view === 'sidebar') startSidebar(app);
  else if (view === 'comparison') startComparison(app);
  else if (view === 'snapshotFile') startSnapshotFile(app);
  else startRetentionTree(app);
}
