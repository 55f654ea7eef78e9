// The baseline for bench/synth.ts: the smallest useful CDK app (one stack, one encrypted queue).
import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';

const app = new App();
new sqs.Queue(new Stack(app, 'MinimalStack'), 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
app.synth();
