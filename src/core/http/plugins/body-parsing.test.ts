import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Browser, createTestApp, type TestContext } from "../../../../test/helpers.js";
import type { AppModule } from "../server.js";
import { MAX_FILES_PER_FORM } from "./body-parsing.js";

// Answers what the handler received, files described by name and size.
const probe: AppModule = {
  name: "body-probe",
  plugin: async (app) => {
    app.post("/probe/echo", async (request) => {
      const body = request.body as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(body)
          .filter(([name]) => name !== "_csrf")
          .map(([name, value]) => {
            const file = value as { filename?: string; data?: Buffer };
            return [name, Buffer.isBuffer(file?.data) ? { filename: file.filename, bytes: file.data.length } : value];
          }),
      );
    });
  },
};

const UPLOAD_LIMIT = 64 * 1024;

describe("body-parsing plugin", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp({ seed: false, modules: [probe], uploadLimitBytes: UPLOAD_LIMIT });
  });
  after(() => ctx.close());

  it("reads a form's fields, a name sent twice giving the list of its values", async () => {
    const browser = new Browser(ctx.app);
    const csrf = await browser.ensureCsrfToken();
    const response = await ctx.app.inject({
      method: "POST",
      url: "/probe/echo",
      payload: `_csrf=${csrf}&name=A%C3%AFssatou&tag=eau&tag=voirie`,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", cookie: browser.cookieHeader() },
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { name: "Aïssatou", tag: ["eau", "voirie"] });
  });

  it("gives a multipart form's file as { filename, data } beside its fields", async () => {
    const browser = new Browser(ctx.app);
    const response = await browser.postMultipart("/probe/echo", { title: "Plan" }, { field: "plan", filename: "plan.pdf", data: Buffer.alloc(1000, 1) });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { title: "Plan", plan: { filename: "plan.pdf", bytes: 1000 } });
  });

  it("refuses a file over the upload limit with 413", async () => {
    const browser = new Browser(ctx.app);
    const response = await browser.postMultipart("/probe/echo", {}, { field: "plan", filename: "plan.pdf", data: Buffer.alloc(UPLOAD_LIMIT + 1, 1) });
    assert.equal(response.statusCode, 413);
  });

  it("refuses a multipart body announced larger than any form can be before reading it", async () => {
    const announced = UPLOAD_LIMIT * MAX_FILES_PER_FORM + 1024 * 1024 + 1;
    const response = await ctx.app.inject({
      method: "POST",
      url: "/probe/echo",
      payload: "x",
      headers: { "content-type": "multipart/form-data; boundary=abc", "content-length": String(announced), accept: "application/json" },
    });
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().code, "PAYLOAD_TOO_LARGE");
    assert.equal(response.headers.connection, "close");
  });
});
