// Uses openapi-typescript's types through openapi-fetch, with its default serialisers.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema";

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:8080" });
const id = "0190d5f0-0000-7000-8000-000000000001";

export async function calls(): Promise<void> {
  const body: components["schemas"]["ApplyExemption"] = { reason: "住院治疗", activityId: id };
  await client.POST("/api/v1/exemptions", { body });
  await client.POST("/api/v1/check-ins/{id}/review", {
    params: { path: { id } },
    body: { decision: "approve" },
  });
  const report = await client.GET("/api/v1/reports/study", {
    params: { query: { selection: { month: "2026-12" } } },
  });
  const code: string | undefined = report.error?.code;
  void code;

  // Excel exports, read as files.
  const workbook = await client.GET("/api/v1/reports/study", {
    params: { query: { selection: { month: "2026-12" }, format: "xlsx" } },
    parseAs: "blob",
  });
  const file: Blob | undefined = workbook.data;
  void file;
}
