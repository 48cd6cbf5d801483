import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import type { Queryable } from "../db/index.js";

/*
 * Ed25519 keys that sign audit checkpoints, kept by core (ADR 0008): one per municipality, one for
 * the network. They are not the e-services keys that sign certificates (a module core cannot
 * import), and rotating a certificate key leaves checkpoints alone. Keys are raw 32-byte values in
 * base64url, like the certificate keys; the kid is the first 16 hex characters of sha256(public key).
 */

/** Who signs: a municipality's id, or the network. */
export const NETWORK_SIGNER = "network";

export interface CheckpointKey {
  kid: string;
  publicKey: string;
  privateKey: string;
}

export const kidOfPublicKey = (publicKey: string) => createHash("sha256").update(Buffer.from(publicKey, "base64url")).digest("hex").slice(0, 16);

function generateKey(): CheckpointKey {
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  return { kid: kidOfPublicKey(jwk.x!), publicKey: jwk.x!, privateKey: jwk.d! };
}

/** The signer's key, made on first use. */
export async function checkpointKey(tx: Queryable, signer: string): Promise<CheckpointKey> {
  const [existing] = await tx.query<{ kid: string; public_key: string; private_key: string }>(
    "SELECT kid, public_key, private_key FROM audit_signing_keys WHERE signer = $1 ORDER BY created_at DESC LIMIT 1",
    [signer],
  );
  if (existing) return { kid: existing.kid, publicKey: existing.public_key, privateKey: existing.private_key };
  const key = generateKey();
  await tx.query("INSERT INTO audit_signing_keys (kid, signer, municipality_id, public_key, private_key) VALUES ($1, $2, $3, $4, $5)", [
    key.kid,
    signer,
    signer === NETWORK_SIGNER ? null : signer,
    key.publicKey,
    key.privateKey,
  ]);
  return key;
}

/** Public keys of every signer, by kid, for verification (private keys never leave this file's queries). */
export async function publicKeys(db: Queryable, signers?: string[]): Promise<{ kid: string; signer: string; publicKey: string; createdAt: Date }[]> {
  const rows = await db.query<{ kid: string; signer: string; public_key: string; created_at: Date }>(
    signers
      ? "SELECT kid, signer, public_key, created_at FROM audit_signing_keys WHERE signer = ANY($1) ORDER BY created_at"
      : "SELECT kid, signer, public_key, created_at FROM audit_signing_keys ORDER BY created_at",
    signers ? [signers] : [],
  );
  return rows.map((row) => ({ kid: row.kid, signer: row.signer, publicKey: row.public_key, createdAt: new Date(row.created_at) }));
}

/**
 * The exact bytes a checkpoint's signature covers: a tag, the chain, the entry number, its hash
 * and the checkpoint's time, as a JSON array. Published with the checkpoints so anyone can check.
 */
export function checkpointMessage(checkpoint: { chain: string; seq: number; hash: string; at: Date }): Buffer {
  return Buffer.from(JSON.stringify(["cite-audit-checkpoint-v1", checkpoint.chain, checkpoint.seq, checkpoint.hash, checkpoint.at.toISOString()]), "utf8");
}

export function signCheckpoint(message: Buffer, key: CheckpointKey): string {
  const privateKey = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: key.privateKey, x: key.publicKey }, format: "jwk" });
  return sign(null, message, privateKey).toString("base64url");
}

export function verifyCheckpointSignature(message: Buffer, signature: string, publicKey: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey }, format: "jwk" });
    const bytes = Buffer.from(signature, "base64url");
    return bytes.length === 64 && verify(null, message, key, bytes);
  } catch {
    return false;
  }
}
