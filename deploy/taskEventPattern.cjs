// Resolves the EventBridge pattern of the refresh function from ECS_CLUSTERS at package/deploy time:
// ECS Task State Change events of the configured clusters only, RUNNING or STOPPED.
// A cluster name matches any ARN ending in ":cluster/<name>" (EventBridge suffix matching); an ARN matches exactly.
const { clusterList } = require('./clusters.cjs');

module.exports = () => ({
  source: ['aws.ecs'],
  'detail-type': ['ECS Task State Change'],
  detail: {
    clusterArn: clusterList().map((c) => (c.startsWith('arn:') ? c : { suffix: `:cluster/${c}` })),
    lastStatus: ['RUNNING', 'STOPPED'],
  },
});
