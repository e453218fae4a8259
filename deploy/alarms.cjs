// CloudWatch alarms on the collector itself, resolved at package/deploy time (serverless.yml `resources`):
//   <Fn>ErrorsAlarm, <Fn>ThrottlesAlarm  AWS/Lambda Errors / Throttles > 0 in 5 minutes, for each function
//   CollectStoppedAlarm                   the scheduled function ran less than once in 5 minutes (no data = alarm)
//   FailedRatioAlarm<cluster>             per configured cluster (ECS_CLUSTERS): the collector's own EMF metric
//                                         FailedRatio (src/health/emf.ts) >= 0.5 for 5 minutes in a row
// ALARM_TOPIC_ARN (optional): an SNS topic ARN, or a topic name in the stack's account and region, that gets
// AlarmActions and OKActions; without it the alarms have no actions (still visible in the console).
// HEALTH_NAMESPACE: the functions' EMF namespace, with the same default as serverless.yml passes them.
// The EMF names below are the ones src/health/emf.ts writes; test/deploy/template.test.ts compares them.
const { createHash } = require('node:crypto');
const { clusterList } = require('./clusters.cjs');

const DEFAULT_HEALTH_NAMESPACE = 'MackerelEcsCollector';
const EMF_SERVICE_DIMENSION = 'service';
const EMF_SERVICE_NAME = 'mackerel-ecs-collector';
const EMF_CLUSTER_DIMENSION = 'Cluster';
const FAILED_RATIO_METRIC = 'FailedRatio';
/** At least half of a cluster's targets failed (FailedRatio is 0 to 1; 1 when the cluster could not be listed). */
const FAILED_RATIO_THRESHOLD = 0.5;
const FAILED_RATIO_MINUTES = 5;
/** Logical ids of the functions, as the framework names them (`<Name>LambdaFunction`). */
const FUNCTIONS = { Collect: 'CollectLambdaFunction', Refresh: 'RefreshLambdaFunction' };

/** An SNS topic ARN as given; a bare topic name becomes an ARN in the stack's partition, region and account. */
function topicArn(topic) {
  if (topic.startsWith('arn:')) return topic;
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${topic}`]] };
}

/** `AlarmActions`/`OKActions` when ALARM_TOPIC_ARN is set, else nothing. */
function actions() {
  const topic = (process.env.ALARM_TOPIC_ARN || '').trim();
  if (!topic) return {};
  return { AlarmActions: [topicArn(topic)], OKActions: [topicArn(topic)] };
}

/** The alarm name: the function's name (service-stage-function) and a suffix, so stages never collide. */
const alarmName = (fnId, suffix) => ({ 'Fn::Join': ['-', [{ Ref: fnId }, suffix]] });

function alarm(properties) {
  return { Type: 'AWS::CloudWatch::Alarm', Properties: { ...properties, ...actions() } };
}

/** Sum of a Lambda metric of one function over 5 minutes, compared with a threshold. */
function lambdaAlarm(fnId, metric, comparison, threshold, treatMissingData, description) {
  return alarm({
    AlarmName: alarmName(fnId, metric.toLowerCase()),
    AlarmDescription: description,
    Namespace: 'AWS/Lambda',
    MetricName: metric,
    Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
    Statistic: 'Sum',
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: threshold,
    ComparisonOperator: comparison,
    TreatMissingData: treatMissingData,
  });
}

/** Letters and digits of a cluster name plus a hash of the whole string: a stable, unique logical id part. */
function clusterId(cluster) {
  const name = cluster.replace(/^arn:.*:cluster\//, '').replace(/[^A-Za-z0-9]/g, '').slice(0, 40);
  return `${name}${createHash('sha256').update(cluster).digest('hex').slice(0, 8)}`;
}

function failedRatioAlarm(cluster, suffix, namespace) {
  return alarm({
    AlarmName: alarmName(FUNCTIONS.Collect, suffix),
    AlarmDescription: `At least half of the metrics targets of ECS cluster ${cluster} failed for ${FAILED_RATIO_MINUTES} minutes (or the cluster could not be listed); see the collector's summary log line`,
    Namespace: namespace,
    MetricName: FAILED_RATIO_METRIC,
    Dimensions: [
      { Name: EMF_SERVICE_DIMENSION, Value: EMF_SERVICE_NAME },
      { Name: EMF_CLUSTER_DIMENSION, Value: cluster },
    ],
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: FAILED_RATIO_MINUTES,
    DatapointsToAlarm: FAILED_RATIO_MINUTES,
    Threshold: FAILED_RATIO_THRESHOLD,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    // No data: the collector did not run (CollectStoppedAlarm says so) or ran dry; not this alarm's business.
    TreatMissingData: 'notBreaching',
  });
}

module.exports = () => {
  const namespace = (process.env.HEALTH_NAMESPACE || '').trim() || DEFAULT_HEALTH_NAMESPACE;
  const resources = {};
  for (const [fn, fnId] of Object.entries(FUNCTIONS)) {
    resources[`${fn}ErrorsAlarm`] = lambdaAlarm(fnId, 'Errors', 'GreaterThanThreshold', 0, 'notBreaching', `The ${fn.toLowerCase()} function failed (uncaught error or timeout)`);
    resources[`${fn}ThrottlesAlarm`] = lambdaAlarm(fnId, 'Throttles', 'GreaterThanThreshold', 0, 'notBreaching', `The ${fn.toLowerCase()} function was throttled (concurrency limit)`);
  }
  resources.CollectStoppedAlarm = lambdaAlarm(
    FUNCTIONS.Collect,
    'Invocations',
    'LessThanThreshold',
    1,
    'breaching',
    'The scheduled collector has not run for 5 minutes: no metrics reach Mackerel',
  );
  resources.CollectStoppedAlarm.Properties.AlarmName = alarmName(FUNCTIONS.Collect, 'stopped');
  // Alarm names must be unique in the account and region: two clusters of one name (ARNs of two regions) differ by a hash.
  const suffixes = new Set();
  for (const cluster of new Set(clusterList())) {
    const name = cluster.replace(/^arn:.*:cluster\//, '').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
    const suffix = suffixes.has(`failed-ratio-${name}`) ? `failed-ratio-${clusterId(cluster)}` : `failed-ratio-${name}`;
    suffixes.add(suffix);
    resources[`FailedRatioAlarm${clusterId(cluster)}`] = failedRatioAlarm(cluster, suffix, namespace);
  }
  return resources;
};
