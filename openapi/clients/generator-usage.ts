// Uses the openapi-generator `typescript-fetch` client the way a front-end would. It only has
// to type-check: each call below is one the server accepts, so a model that demands more
// than the server does (or names a type that does not exist) fails here.
import {
  ActivitiesApi,
  CheckInsApi,
  Configuration,
  ExemptionsApi,
  MaterialsApi,
  MembersApi,
  ReportsApi,
} from "./generated/fetch";

const config = new Configuration({ basePath: "http://127.0.0.1:8080", accessToken: "token" });
const id = "0190d5f0-0000-7000-8000-000000000001";

export async function calls(): Promise<void> {
  const exemptions = new ExemptionsApi(config);
  await exemptions.applyExemption({ applyExemption: { reason: "住院治疗", activityId: id } });
  await exemptions.applyExemption({
    applyExemption: { reason: "住院治疗", fromDate: new Date("2026-12-01"), toDate: new Date("2027-02-28") },
  });

  const checkIns = new CheckInsApi(config);
  await checkIns.reviewCheckIn({ id, reviewRequest: { decision: "approve" } });
  await checkIns.reviewCheckIn({ id, reviewRequest: { decision: "reject", reason: "未到现场" } });

  const activities = new ActivitiesApi(config);
  await activities.createActivity({
    id,
    createActivity: {
      kind: "general_assembly",
      title: "党员大会",
      startsAt: new Date("2026-12-01T09:00:00+08:00"),
      endsAt: new Date("2026-12-01T11:00:00+08:00"),
    },
  });
  await activities.createActivity({
    id,
    createActivity: {
      kind: "theme_day",
      themeCategory: "study",
      title: "主题党日",
      startsAt: new Date("2026-12-01T09:00:00+08:00"),
      endsAt: new Date("2026-12-01T11:00:00+08:00"),
      proof: "location",
      geofence: { center: { lat: 30.0871, lng: 120.8402 }, radiusM: 150 },
    },
  });
  await activities.updateActivity({ id, updateActivity: { removeGeofence: true } });

  await new MaterialsApi(config).updateMaterial({ id, updateMaterial: { clearLessonMonth: true } });
  await new MembersApi(config).grantRole({ id, grantRole: { orgId: id, kind: "secretary" } });
  await new ReportsApi(config).getStudyReport({ selection: { month: "2026-12" } });

  // Excel exports: the raw response's body is the file.
  const report = await new ReportsApi(config).getStudyReportRaw({
    selection: { month: "2026-12" },
    format: "xlsx",
  });
  const workbook: Blob = await report.raw.blob();
  const attendance = await activities.getAttendanceRaw({ id, format: "xlsx" });
  const sheet: Blob = await attendance.raw.blob();
  void [workbook, sheet];
}
