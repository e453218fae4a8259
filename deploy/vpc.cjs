// Resolves provider.vpc for serverless.yml from the environment at package/deploy time:
//   VPC_SUBNET_IDS=subnet-a,subnet-b VPC_SECURITY_GROUP_IDS=sg-1 npx serverless deploy
// Without them the function is packaged without a VPC attachment (fine for `serverless package` and the
// planned ssm mode; direct scraping needs the VPC).
const list = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);

module.exports = () => {
  const subnetIds = list(process.env.VPC_SUBNET_IDS);
  const securityGroupIds = list(process.env.VPC_SECURITY_GROUP_IDS);
  if (subnetIds.length === 0 || securityGroupIds.length === 0) return null;
  return { subnetIds, securityGroupIds };
};
