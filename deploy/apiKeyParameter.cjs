// The SSM parameter holding the Mackerel API key, from MACKEREL_API_KEY_PARAMETER at package/deploy time:
//   name: passed to the functions as given (what @middy/ssm asks GetParameters for);
//   arn:  the IAM resource of ssm:GetParameters, in the stack's partition (aws, aws-cn, aws-us-gov).
// A parameter ARN is `arn:<partition>:ssm:<region>:<account>:parameter/<name without its leading slash>`
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html#awssystemsmanager-resources-for-iam-policies),
// so `/a/b` and `a/b` give the same ARN. A full ARN (a parameter shared from another account) is used as is.
// Built from CloudFormation pseudo parameters, not ${aws:accountId}, so `serverless package` needs no AWS call.
const DEFAULT_PARAMETER = '/mackerel-ecs-collector/api-key';

function parameterArn(name) {
  if (name.startsWith('arn:')) return name;
  return {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:parameter/${name.replace(/^\/+/, '')}`],
    ],
  };
}

module.exports = () => {
  const name = (process.env.MACKEREL_API_KEY_PARAMETER || '').trim() || DEFAULT_PARAMETER;
  return { name, arn: parameterArn(name) };
};
