/**
 * Loads the ECS Task State Change events in test/fixtures/events. The EC2 bridge events are one task's life
 * (PENDING v2, RUNNING v3, draining v4, STOPPED v5) in the shape of reference/ecs-api.md §4; the Fargate one
 * is the example of the AWS developer guide ("Amazon ECS events"), its VPC address replaced by 127.0.4.139.
 * `parsed.expected.json` is the golden output of parseTaskStateChange for each of them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const EVENT_DIR = path.join(__dirname, '..', 'fixtures', 'events');

/** Fixture names without `.json`. */
export const EVENT_FIXTURES = [
  'ec2-bridge-pending',
  'ec2-bridge-running',
  'ec2-bridge-draining',
  'ec2-bridge-stopped',
  'fargate-awsvpc-running',
] as const;
export type EventFixture = (typeof EVENT_FIXTURES)[number];

/** A fresh copy of one event, as a Lambda would receive it. */
export function readEvent(name: EventFixture): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(EVENT_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** The golden parse result of every fixture. */
export function expectedChanges(): Record<EventFixture, unknown> {
  return JSON.parse(readFileSync(path.join(EVENT_DIR, 'parsed.expected.json'), 'utf8')) as Record<EventFixture, unknown>;
}

/** The running EC2 event with `detail` fields replaced (or removed, with `undefined`). */
export function runningWith(detail: Record<string, unknown>): Record<string, unknown> {
  const event = readEvent('ec2-bridge-running');
  const merged: Record<string, unknown> = { ...(event.detail as Record<string, unknown>), ...detail };
  for (const [k, v] of Object.entries(detail)) if (v === undefined) delete merged[k];
  return { ...event, detail: merged };
}
