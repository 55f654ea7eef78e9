/**
 * MODELLED CloudFormation (GetTemplate, ListStackResources) and SNS (ListSubscriptionsByTopic) over HTTP with the
 * services' query protocol (form-encoded request, XML response), as the documented APIs answer: a deployed stack
 * is its template plus the physical id of each resource; ListStackResources pages (100 per page); an unconfirmed
 * e-mail subscription has the SubscriptionArn "PendingConfirmation". Point the SDK here with
 * AWS_ENDPOINT_URL_CLOUDFORMATION and AWS_ENDPOINT_URL_SNS.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelledStack {
  template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  /** logical id -> physical id, for the resources CloudFormation created. */
  physicalIds: Record<string, string>;
}

export interface Subscription {
  SubscriptionArn: string;
  Protocol: string;
  Endpoint: string;
}

export interface StackModel {
  url: string;
  stacks: Map<string, ModelledStack>;
  subscriptions: Map<string, Subscription[]>;
  calls: { action: string; params: Record<string, string> }[];
  /** Answer an action with this error code instead (e.g. AccessDenied), once per call while set. */
  failWith: Map<string, string>;
  close(): Promise<void>;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const PAGE = 100;

export async function serveStackModel(): Promise<StackModel> {
  const model: Omit<StackModel, 'url' | 'close'> = { stacks: new Map(), subscriptions: new Map(), calls: [], failWith: new Map() };

  const answer = (action: string, p: Record<string, string>): { status: number; body: string } => {
    const ns = action === 'ListSubscriptionsByTopic' ? 'http://sns.amazonaws.com/doc/2010-03-31/' : 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
    const ok = (result: string) => ({
      status: 200,
      body: `<${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>modelled</RequestId></ResponseMetadata></${action}Response>`,
    });
    const error = (status: number, code: string, message: string) => ({
      status,
      body: `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>modelled</RequestId></ErrorResponse>`,
    });
    const injected = model.failWith.get(action);
    if (injected) return error(injected === 'Throttling' ? 400 : 403, injected, `User is not authorized to perform: ${action}`);
    if (action === 'GetTemplate' || action === 'ListStackResources') {
      const stack = model.stacks.get(p.StackName ?? '');
      if (!stack) return error(400, 'ValidationError', `Stack with id ${p.StackName} does not exist`);
      if (action === 'GetTemplate')
        return ok(
          `<TemplateBody>${xml(JSON.stringify(stack.template))}</TemplateBody><StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable>`,
        );
      const all = Object.entries(stack.physicalIds);
      const start = Number(p.NextToken ?? 0);
      const members = all
        .slice(start, start + PAGE)
        .map(
          ([id, physical]) =>
            `<member><LogicalResourceId>${xml(id)}</LogicalResourceId><PhysicalResourceId>${xml(physical)}</PhysicalResourceId><ResourceType>${xml(stack.template.Resources[id]?.Type ?? '')}</ResourceType><LastUpdatedTimestamp>2026-01-01T00:00:00Z</LastUpdatedTimestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>`,
        )
        .join('');
      const next = start + PAGE < all.length ? `<NextToken>${start + PAGE}</NextToken>` : '';
      return ok(`<StackResourceSummaries>${members}</StackResourceSummaries>${next}`);
    }
    if (action === 'ListSubscriptionsByTopic') {
      const subs = model.subscriptions.get(p.TopicArn ?? '');
      if (!subs) return error(404, 'NotFound', 'Topic does not exist');
      const members = subs
        .map(
          (s) =>
            `<member><TopicArn>${xml(p.TopicArn!)}</TopicArn><Protocol>${s.Protocol}</Protocol><SubscriptionArn>${xml(s.SubscriptionArn)}</SubscriptionArn><Owner>111111111111</Owner><Endpoint>${xml(s.Endpoint)}</Endpoint></member>`,
        )
        .join('');
      return ok(`<Subscriptions>${members}</Subscriptions>`);
    }
    return error(400, 'InvalidAction', `${action} is not modelled`);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const { Action: action = '', Version: _version, ...rest } = params;
      model.calls.push({ action, params: rest });
      const { status, body } = answer(action, rest);
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { ...model, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) } as StackModel;
}
