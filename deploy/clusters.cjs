// ECS_CLUSTERS at package/deploy time (the functions' ECS_CLUSTERS and the refresh rule's event pattern).
// Required: without it, packaging stops with one readable line instead of deploying a collector for a cluster
// nobody named.

/** An error osls prints as its message alone: it shows a function's error by its `stack`. */
class DeployConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DeployConfigError';
    this.stack = `${this.name}: ${message}`;
  }
}

/** The configured cluster names or ARNs, trimmed, empty entries dropped; throws when there are none. */
function clusterList() {
  const list = (process.env.ECS_CLUSTERS || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new DeployConfigError(
      'ECS_CLUSTERS is not set: export ECS_CLUSTERS=<cluster>[,<cluster>...] (the names or ARNs of the ECS clusters to collect from) before `serverless package` or `serverless deploy`',
    );
  }
  return list;
}

module.exports = () => clusterList().join(',');
module.exports.clusterList = clusterList;
module.exports.DeployConfigError = DeployConfigError;
