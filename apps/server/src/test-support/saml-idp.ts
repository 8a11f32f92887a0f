// A SAML 2 identity provider for tests on a loopback port: it publishes its metadata, checks the SP's signed
// AuthnRequest (HTTP-Redirect binding), and answers with a Response and Assertion both signed by its key
// (xml-crypto, exclusive c14n, RSA-SHA256), posted back by an auto-submitting form as real IdPs do. It can
// also answer with a bad signature, for another audience, or with a refusal, to show the SP refuses those.
import { execFileSync } from 'node:child_process';
import { randomUUID, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';

export interface KeyPair {
  key: string;
  cert: string;
}

/** A self-signed RSA certificate and its key (openssl; Node cannot make certificates itself). */
export function selfSigned(commonName: string): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'fh-saml-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The base64 body of a PEM, as metadata and upstream's properties carry certificates. */
export function pemBody(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

export type SamlAnswer =
  | { email: string; name: string; mode?: 'honest' | 'bad-signature' | 'other-audience' }
  | { deny: true };

export interface PostedResponse {
  acs: string;
  SAMLResponse: string;
  RelayState: string;
}

export interface TestSamlIdp {
  readonly entityId: string;
  readonly metadata: string;
  /** What the next sign-in answers. */
  next(answer: SamlAnswer): void;
  /** The last response the IdP posted (to replay it). */
  readonly lastPosted: PostedResponse | undefined;
  /** AuthnRequests whose signature checked out, and those that did not. */
  readonly requests: { signed: number; unsigned: number };
  close(): Promise<void>;
}

const C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

function sign(xml: string, element: 'Assertion' | 'Response', keys: KeyPair): string {
  const sig = new SignedXml({
    privateKey: keys.key,
    publicCert: keys.cert,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: C14N,
  });
  const path = element === 'Assertion' ? "//*[local-name(.)='Assertion']" : "/*[local-name(.)='Response']";
  sig.addReference({ xpath: path, transforms: [ENVELOPED, C14N], digestAlgorithm: SHA256 });
  sig.computeSignature(xml, {
    location: { reference: `${path}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Starts the IdP; `spCert` is the certificate the SP signs its requests with. */
export async function startSamlIdp(options: { spCert: string }): Promise<TestSamlIdp> {
  const keys = selfSigned('test-saml-idp');
  const attacker = selfSigned('not-the-idp');
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://localhost:${(server.address() as AddressInfo).port}`;
  const entityId = `${base}/metadata`;
  const metadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${pemBody(keys.cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${base}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

  let answer: SamlAnswer = { deny: true };
  let lastPosted: PostedResponse | undefined;
  const requests = { signed: 0, unsigned: 0 };

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(metadata);
      return;
    }
    if (url.pathname !== '/sso') {
      res.writeHead(404).end();
      return;
    }
    // The redirect binding signs the raw query parameters, in this order (SAML bindings §3.4.4.1).
    const raw = new Map(
      (url.search.slice(1).split('&') ?? []).map((kv) => kv.split('=') as [string, string]),
    );
    const signedPart = ['SAMLRequest', 'RelayState', 'SigAlg']
      .filter((k) => raw.has(k))
      .map((k) => `${k}=${raw.get(k)}`)
      .join('&');
    const signature = url.searchParams.get('Signature');
    const ok =
      signature !== null &&
      url.searchParams.get('SigAlg') === RSA_SHA256 &&
      verify('sha256', Buffer.from(signedPart), options.spCert, Buffer.from(signature, 'base64'));
    if (!ok) {
      requests.unsigned++;
      res.writeHead(400, { 'content-type': 'text/plain' }).end('The AuthnRequest is not signed by the SP');
      return;
    }
    requests.signed++;
    const request = inflateRawSync(
      Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64'),
    ).toString();
    const requestId = /\sID="([^"]+)"/.exec(request)?.[1] ?? '';
    const acs = /AssertionConsumerServiceURL="([^"]+)"/.exec(request)?.[1] ?? '';
    const spEntity = /<saml:Issuer[^>]*>([^<]+)<\/saml:Issuer>/.exec(request)?.[1] ?? '';
    const now = new Date();
    const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
    let xml: string;
    const status = (code: string) =>
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:${code}"${
        code === 'Responder'
          ? '><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/></samlp:StatusCode>'
          : '/>'
      }</samlp:Status>`;
    const head = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" Version="2.0" IssueInstant="${at(0)}" Destination="${acs}" InResponseTo="${requestId}"><saml:Issuer>${entityId}</saml:Issuer>`;
    if ('deny' in answer) {
      xml = sign(`${head}${status('Responder')}</samlp:Response>`, 'Response', keys);
    } else {
      const signer = answer.mode === 'bad-signature' ? attacker : keys;
      const audience = answer.mode === 'other-audience' ? 'https://other-sp.example.com/metadata' : spEntity;
      const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" Version="2.0" IssueInstant="${at(0)}"><saml:Issuer>${entityId}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${escapeXml(answer.email)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="${requestId}" NotOnOrAfter="${at(300_000)}" Recipient="${acs}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${at(-60_000)}" NotOnOrAfter="${at(300_000)}"><saml:AudienceRestriction><saml:Audience>${escapeXml(audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${at(0)}" SessionIndex="_${randomUUID()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="urn:oid:2.16.840.1.113730.3.1.241"><saml:AttributeValue>${escapeXml(answer.name)}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>`;
      const withSignedAssertion = sign(
        `${head}${status('Success')}${assertion}</samlp:Response>`,
        'Assertion',
        signer,
      );
      xml = sign(withSignedAssertion, 'Response', signer);
    }
    const posted = {
      acs,
      SAMLResponse: Buffer.from(xml).toString('base64'),
      RelayState: url.searchParams.get('RelayState') ?? '',
    };
    lastPosted = posted;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html><body onload="document.forms[0].submit()">
<form method="post" action="${escapeXml(acs)}">
<input type="hidden" name="SAMLResponse" value="${posted.SAMLResponse}">
<input type="hidden" name="RelayState" value="${escapeXml(posted.RelayState)}">
<noscript><button type="submit">Continue</button></noscript>
</form></body></html>`);
  });

  return {
    entityId,
    metadata,
    next(a) {
      answer = a;
    },
    get lastPosted() {
      return lastPosted;
    },
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
