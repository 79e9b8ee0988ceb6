// A stand-in for the SMS gateway (issue 14, receipt recovery): test.sh points the portal's
// notifications at it (PINGAN_NOTIFY=webhook:http://127.0.0.1:<port>/sms, a loopback address,
// so the body carries what the SMS says) and the global set-up starts it. Every message is kept
// as one JSON line in PINGAN_E2E_SMS_FILE, so a spec reads a one-time code the way a resident
// reads the text on their phone. Nothing leaves the machine.
import fs from 'node:fs';
import http from 'node:http';

export const smsFile = (): string | undefined => process.env.PINGAN_E2E_SMS_FILE;

/** Listens on 127.0.0.1:`port`; answers 204 to every POST after appending its body to `file`. */
export function startGateway(port: number, file: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') {
        const body = Buffer.concat(chunks).toString('utf8').replace(/\n/g, ' ');
        fs.appendFileSync(file, `${body}\n`);
      }
      res.writeHead(req.method === 'POST' ? 204 : 405);
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

type Sms = { kind: string; recipient: string; payload?: { code?: string; text?: string } };

/** The newest message of `kind` to `phone` that arrives after `since` lines were in the file. */
export async function waitForSms(kind: string, phone: string, since: number, timeoutMs = 20_000): Promise<Sms> {
  const file = smsFile();
  if (!file) throw new Error('PINGAN_E2E_SMS_FILE is not set: run the suite through ./test.sh (it starts the SMS stand-in)');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = smsLines()
      .slice(since)
      .map((l) => JSON.parse(l) as Sms)
      .filter((m) => m.kind === kind && m.recipient === phone);
    if (found.length > 0) return found[found.length - 1];
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no ${kind} message to ${phone} within ${timeoutMs} ms (file ${file})`);
}

/** The lines in the file so far. */
export function smsLines(): string[] {
  const file = smsFile();
  if (!file || !fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
}
