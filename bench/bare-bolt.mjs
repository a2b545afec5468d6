// The reference of bench:ack: a bare Bolt app whose only listener acks, on the default
// HTTPReceiver, its Web API pointed at the same emulator. Prints "listening <port>".
import bolt from '@slack/bolt';

const { App, LogLevel } = bolt;
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL, retryConfig: { retries: 0 } },
});
app.command('/detour', async ({ ack }) => {
  await ack();
});
const server = await app.start({ port: 0, host: '127.0.0.1' });
console.log(`listening ${server.address().port}`);
