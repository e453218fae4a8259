import { GetObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { createS3OutputStore } from '../../src/scrape/awsS3';

// The S3 adapter behind SSM_OUTPUT_BUCKET, mocked at the SDK boundary (no S3 can run here).
const s3 = mockClient(S3Client);
// A Node stream in two chunks, as the SDK hands GetObject bodies to Node callers.
const body = (text: string) =>
  Readable.from([Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))]) as unknown as GetObjectCommandOutput['Body'];

afterEach(() => s3.reset());

describe('S3 output store (SSM_OUTPUT_BUCKET)', () => {
  it('reads the complete command output the SSM Agent uploaded', async () => {
    // Prepare
    const output = '@@MECS1 BEGIN 1 40\n@@MECS1 0 ok 0 200 3\nH4sI\n@@MECS1 END 1\n';
    s3.on(GetObjectCommand, { Bucket: 'ops-ssm-output', Key: 'mackerel-ecs-collector/cmd/i-0abc/stdout' }).resolves({
      Body: body(output),
      ContentLength: output.length,
    });

    // Act
    const text = await createS3OutputStore(new S3Client({ region: 'us-east-1' })).getObjectText(
      'ops-ssm-output',
      'mackerel-ecs-collector/cmd/i-0abc/stdout',
      1024,
    );

    // Assess
    expect(text).toBe(output);
  });

  it('refuses an object larger than the cap before reading it', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('x'.repeat(2048)), ContentLength: 2048 });
    await expect(createS3OutputStore(new S3Client({ region: 'us-east-1' })).getObjectText('b', 'k', 1024)).rejects.toThrow(
      's3://b/k is 2048 bytes, over the 1024-byte cap',
    );
  });

  it('stops reading a body without Content-Length once it passes the cap', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('y'.repeat(4096)) });
    await expect(createS3OutputStore(new S3Client({ region: 'us-east-1' })).getObjectText('b', 'k', 1000)).rejects.toThrow(
      's3://b/k is over the 1000-byte cap',
    );
  });
});
