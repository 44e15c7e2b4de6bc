//! Every error code a client can receive, in one place: its wire string (stable,
//! `snake_case`), the HTTP status of a problem that carries it as its `code`, and its title
//! for people (Chinese). Codes that only appear on a field (`errors[].code` of a 422) carry
//! 422. Grouped by context here; flat on the wire.

use std::fmt;

macro_rules! catalogue {
    ($(
        $(#[doc = $group_doc:literal])*
        $group:ident {
            $( $variant:ident = $code:literal, $status:literal, $title:literal; )*
        }
    )*) => {
        /// A stable machine-readable error code, e.g. `check_in_window_closed`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($( $variant, )*)*
        }

        impl ErrorCode {
            /// Every code, grouped by context.
            pub const ALL: &'static [ErrorCode] = &[$($( ErrorCode::$variant, )*)*];

            /// The wire form.
            pub const fn as_str(self) -> &'static str {
                match self { $($( ErrorCode::$variant => $code, )*)* }
            }

            /// The HTTP status of a problem whose `code` this is.
            pub const fn status(self) -> u16 {
                match self { $($( ErrorCode::$variant => $status, )*)* }
            }

            /// A short summary for people (Chinese), the problem's `title`.
            pub const fn title(self) -> &'static str {
                match self { $($( ErrorCode::$variant => $title, )*)* }
            }

            /// The context the code belongs to.
            pub const fn context(self) -> &'static str {
                match self { $($( ErrorCode::$variant => stringify!($group), )*)* }
            }
        }
    };
}

catalogue! {
    /// Refusals of the request itself, on any endpoint.
    request {
        RequestJsonMalformed = "request_json_malformed", 400, "请求体不是合法的 JSON";
        RequestBodyUnreadable = "request_body_unreadable", 400, "请求体读取失败";
        RequestBodyUnexpected = "request_body_unexpected", 400, "该接口不接受请求体";
        RequestHeadInvalid = "request_head_invalid", 400, "请求头格式无效";
        RequestInvalid = "request_invalid", 400, "请求无效";
        RequestUriTooLong = "request_uri_too_long", 414, "请求地址过长";
        RequestBodyTooLarge = "request_body_too_large", 413, "请求内容过大";
        RequestUnsupportedMediaType = "request_unsupported_media_type", 415, "不支持的内容类型";
        RequestPreconditionRequired = "request_precondition_required", 428, "缺少 If-Match 请求头";
        RequestIfMatchInvalid = "request_if_match_invalid", 400, "If-Match 请求头格式无效";
        RequestJsonInvalid = "request_json_invalid", 422, "请求体字段不符合要求";
        RequestQueryInvalid = "request_query_invalid", 422, "查询参数不符合要求";
        ValidationFailed = "validation_failed", 422, "输入校验未通过";
        RouteNotFound = "route_not_found", 404, "接口不存在";
        MethodNotAllowed = "method_not_allowed", 405, "不支持该请求方法";
        PaginationCursorInvalid = "pagination_cursor_invalid", 400, "分页游标无效";
        PaginationLimitOutOfRange = "pagination_limit_out_of_range", 422, "每页条数须在 1-100 之间";
        IdempotencyKeyInvalid = "idempotency_key_invalid", 400, "幂等键格式无效";
        IdempotencyKeyReused = "idempotency_key_reused", 422, "幂等键已用于其他请求";
        IdempotencyRequestInFlight = "idempotency_request_in_flight", 409, "相同请求正在处理中";
        RateLimited = "rate_limited", 429, "尝试过于频繁，请稍后再试";
    }
    /// The shape of a field (`errors[].code` of `request_json_invalid` and
    /// `request_query_invalid`), and formats several contexts share.
    field {
        MissingField = "missing_field", 422, "缺少必填字段";
        UnknownField = "unknown_field", 422, "不支持的字段";
        InvalidType = "invalid_type", 422, "字段类型不正确";
        InvalidLength = "invalid_length", 422, "字段长度不正确";
        UnknownVariant = "unknown_variant", 422, "不支持的取值";
        InvalidValue = "invalid_value", 422, "字段取值无效";
        MonthInvalid = "month_invalid", 422, "月份须为 YYYY-MM，在 2000-01 至 2100-12 之间";
        YearInvalid = "year_invalid", 422, "年份须在 2000-2100 之间";
        PhoneInvalid = "phone_invalid", 422, "手机号格式无效";
        PhoneNotMainland = "phone_not_mainland", 422, "仅支持中国大陆手机号";
    }
    /// Any resource; the server's own state.
    resource {
        ResourceNotFound = "resource_not_found", 404, "资源不存在";
        ResourceConflict = "resource_conflict", 409, "与现有数据冲突";
        PermissionDenied = "permission_denied", 403, "没有权限执行此操作";
        InternalError = "internal_error", 500, "服务器内部错误";
        DatabaseUnavailable = "database_unavailable", 503, "数据库暂时不可用";
        CacheUnavailable = "cache_unavailable", 503, "缓存服务暂时不可用";
    }
    /// Sessions: access and refresh tokens.
    auth {
        AuthTokenMissing = "auth_token_missing", 401, "需要登录";
        AuthTokenMalformed = "auth_token_malformed", 401, "登录凭证无效";
        AuthTokenAlgorithmNotAllowed = "auth_token_algorithm_not_allowed", 401, "登录凭证无效";
        AuthTokenUnknownKey = "auth_token_unknown_key", 401, "登录凭证无效";
        AuthTokenBadSignature = "auth_token_bad_signature", 401, "登录凭证无效";
        AuthTokenExpired = "auth_token_expired", 401, "登录已过期";
        AuthTokenNotYetValid = "auth_token_not_yet_valid", 401, "登录凭证无效";
        AuthTokenWrongAudience = "auth_token_wrong_audience", 401, "登录凭证无效";
        AuthTokenWrongIssuer = "auth_token_wrong_issuer", 401, "登录凭证无效";
        AuthTokenWrongType = "auth_token_wrong_type", 401, "登录凭证无效";
        AuthTokenRevoked = "auth_token_revoked", 401, "登录已失效";
        AuthMemberInactive = "auth_member_inactive", 401, "党员账号已停用";
        AuthRefreshInvalid = "auth_refresh_invalid", 401, "登录已失效，请重新登录";
        AuthRefreshRevoked = "auth_refresh_revoked", 401, "登录已失效，请重新登录";
        AuthRefreshExpired = "auth_refresh_expired", 401, "登录已失效，请重新登录";
        AuthRefreshReused = "auth_refresh_reused", 401, "登录已失效，请重新登录";
        RefreshTokenInvalid = "refresh_token_invalid", 422, "刷新令牌格式无效";
    }
    /// WeChat sign-in, binding and subscribe messages.
    wechat {
        WechatCodeInvalid = "wechat_code_invalid", 401, "微信登录凭证无效";
        WechatCodeUsed = "wechat_code_used", 401, "微信登录凭证已使用";
        WechatPhoneCodeInvalid = "wechat_phone_code_invalid", 401, "手机号授权凭证无效或已使用";
        WechatPhoneWrongApp = "wechat_phone_wrong_app", 401, "手机号授权凭证不属于本小程序";
        WechatTicketInvalid = "wechat_ticket_invalid", 401, "绑定凭证无效或已过期";
        InviteCodeInvalid = "invite_code_invalid", 401, "邀请码无效或已过期";
        WechatPhoneNotOnRoster = "wechat_phone_not_on_roster", 404, "该手机号不在党员名册中";
        WechatNotConfigured = "wechat_not_configured", 503, "未配置微信小程序";
        WechatBusy = "wechat_busy", 503, "微信服务繁忙";
        WechatUnavailable = "wechat_unavailable", 502, "微信服务暂时不可用";
        WechatRateLimited = "wechat_rate_limited", 429, "微信登录过于频繁";
        AccountBoundToAnotherMember = "account_bound_to_another_member", 409, "该微信已绑定其他党员";
        MemberBoundElsewhere = "member_bound_elsewhere", 409, "该党员已绑定其他微信，请联系支部书记重置";
        SubscriptionTemplateInvalid = "subscription_template_invalid", 422, "订阅消息模板编号无效";
        SubscriptionTemplateUnknown = "subscription_template_unknown", 422, "未配置该订阅消息模板";
        WechatAccountIsMember = "wechat_account_is_member", 409, "该微信已绑定党员，请以党员身份登录";
        WechatPhoneOnRoster = "wechat_phone_on_roster", 409, "该手机号在党员名册中，请以党员身份绑定";
    }
    /// The organisation tree, members and roles.
    org {
        OrgNameInvalid = "org_name_invalid", 422, "组织名称无效";
        OrgNameTaken = "org_name_taken", 409, "同一上级组织下已有同名组织";
        OrgKindNotAllowedHere = "org_kind_not_allowed_here", 422, "该上级组织下不能建立此类组织";
        MemberNameInvalid = "member_name_invalid", 422, "姓名无效";
        MemberPhoneTaken = "member_phone_taken", 409, "该手机号已被其他党员使用";
        MemberOrgNotABranch = "member_org_not_a_branch", 422, "党员只能编入党支部或党小组";
        MemberInactive = "member_inactive", 409, "党员已停用";
        MemberSearchInvalid = "member_search_invalid", 422, "搜索条件无效";
        RoleAlreadyGranted = "role_already_granted", 409, "已授予该职务";
        RoleOrgKindMismatch = "role_org_kind_mismatch", 422, "该职务不能设在此类组织";
        RoleCanReviewCommitteeOnly = "role_can_review_committee_only", 422, "只有支委可单独授予审核权限";
    }
    /// The audit log.
    audit {
        AuditActionInvalid = "audit_action_invalid", 422, "操作类型无效";
    }
    /// Settings.
    platform {
        SettingKeyInvalid = "setting_key_invalid", 422, "设置项名称无效";
        SettingValueTooLong = "setting_value_too_long", 422, "设置值过长";
    }
    /// Theme days and 三会一课: scheduling, check-in and check-out, review, exemptions, holidays.
    activity {
        ActivityTitleInvalid = "activity_title_invalid", 422, "活动标题无效";
        ActivityPlaceInvalid = "activity_place_invalid", 422, "活动地点无效";
        ActivityTimeInvalid = "activity_time_invalid", 422, "活动时间无效";
        ActivityOrgMismatch = "activity_org_mismatch", 422, "活动类型与组织不符";
        ActivityCancelled = "activity_cancelled", 409, "活动已取消";
        ActivityPlanNeedsBranch = "activity_plan_needs_branch", 422, "活动计划按党支部制定";
        ActivityQrNotUsed = "activity_qr_not_used", 422, "本次活动不使用二维码签到";
        ThemeCategoryRequired = "theme_category_required", 422, "主题党日须选择主题类别";
        GeofenceRequired = "geofence_required", 422, "定位签到须设置签到范围";
        GeofenceConflict = "geofence_conflict", 422, "不能同时设置和移除签到范围";
        GeofenceRadiusInvalid = "geofence_radius_invalid", 422, "签到范围半径须在 10-5000 米之间";
        LocationInvalid = "location_invalid", 422, "位置坐标无效";
        LecturerOnlyForPartyLesson = "lecturer_only_for_party_lesson", 422, "只有党课可以指定授课人";
        LecturerUnknown = "lecturer_unknown", 422, "授课人不存在";
        LecturerNameInvalid = "lecturer_name_invalid", 422, "授课人姓名无效";
        CancelReasonInvalid = "cancel_reason_invalid", 422, "取消原因无效";
        CheckInWindowInvalid = "check_in_window_invalid", 422, "签到时间段无效";
        ClientTimeInvalid = "client_time_invalid", 422, "客户端时间无效";
        CheckInWindowNotOpen = "check_in_window_not_open", 422, "签到尚未开始";
        CheckInWindowClosed = "check_in_window_closed", 422, "签到已结束";
        CheckInQrInvalid = "check_in_qr_invalid", 422, "签到二维码无效";
        CheckInQrExpired = "check_in_qr_expired", 422, "签到二维码已过期";
        CheckInOutsideGeofence = "check_in_outside_geofence", 422, "不在签到范围内";
        CheckInOnlineNotAllowed = "check_in_online_not_allowed", 422, "本次活动不允许线上参加";
        CheckInNotExpected = "check_in_not_expected", 422, "您不在本次活动的参加人员之列";
        CheckInExempted = "check_in_exempted", 422, "您已请假获批，无需签到";
        CheckInActivityCancelled = "check_in_activity_cancelled", 422, "活动已取消";
        CheckInProofRequired = "check_in_proof_required", 422, "请提供签到凭证";
        CheckInNotFound = "check_in_not_found", 422, "签到记录不存在";
        CheckInNotInActivity = "check_in_not_in_activity", 422, "签到记录不属于本次活动";
        CheckInNotPending = "check_in_not_pending", 409, "签到已审核";
        CheckOutNotServiceActivity = "check_out_not_service_activity", 422, "只有服务奉献类活动可以签退记录志愿服务时长";
        CheckOutNotCheckedIn = "check_out_not_checked_in", 422, "您未签到本次活动，不能签退";
        CheckOutCheckInRejected = "check_out_check_in_rejected", 422, "您的签到已被驳回，不能签退";
        CheckOutAlreadyRecorded = "check_out_already_recorded", 409, "您已签退，服务时长已记录";
        CheckOutWindowClosed = "check_out_window_closed", 422, "签退已截止（活动结束 2 小时后），请自行填报服务时长";
        CheckOutNoMinutes = "check_out_no_minutes", 422, "服务时长不足 1 分钟，不能签退";
        ReviewReasonRequired = "review_reason_required", 422, "驳回须填写理由";
        ReviewReasonInvalid = "review_reason_invalid", 422, "审核理由无效";
        ReviewBatchSizeInvalid = "review_batch_size_invalid", 422, "批量审核数量须在 1-200 之间";
        ExemptionScopeInvalid = "exemption_scope_invalid", 422, "请假须指定一次活动或一个日期范围";
        ExemptionRangeInvalid = "exemption_range_invalid", 422, "请假日期范围无效";
        ExemptionReasonInvalid = "exemption_reason_invalid", 422, "请假事由无效";
        ExemptionExists = "exemption_exists", 409, "已提交过相同的请假申请";
        ExemptionNotPending = "exemption_not_pending", 409, "请假申请已审核";
        ExemptionsListedPerBranch = "exemptions_listed_per_branch", 422, "请假申请按党支部查看";
        HolidaysNeedCommittee = "holidays_need_committee", 422, "节假日安排由镇党委维护";
        HolidayOutsideYear = "holiday_outside_year", 422, "日期不在该年度内";
        HolidayAndWorkday = "holiday_and_workday", 422, "同一天不能既是假日又是调休工作日";
        WorkdayNotWeekend = "workday_not_weekend", 422, "调休工作日须是周末";
    }
    /// Study materials (学习资料, 月送党课), study records, plans and the study report.
    material {
        MaterialTitleInvalid = "material_title_invalid", 422, "资料标题无效";
        MaterialSummaryInvalid = "material_summary_invalid", 422, "资料摘要无效";
        MaterialBodyTooLong = "material_body_too_long", 422, "资料正文过长";
        MaterialAttachmentTitleInvalid = "material_attachment_title_invalid", 422, "附件标题无效";
        MaterialAttachmentUrlInvalid = "material_attachment_url_invalid", 422, "附件地址无效";
        MaterialAttachmentsTooMany = "material_attachments_too_many", 422, "附件过多";
        MaterialAudienceInvalid = "material_audience_invalid", 422, "推送范围无效";
        MaterialDeadlineBeforePublish = "material_deadline_before_publish", 422, "学习截止时间早于发布时间";
        MaterialFieldConflict = "material_field_conflict", 422, "字段与其清除开关不能同时提交";
        MaterialTimeInvalid = "material_time_invalid", 422, "时间须在 2000-2100 年之间";
        MaterialUnpublished = "material_unpublished", 409, "资料尚未发布";
        ProgressPositionInvalid = "progress_position_invalid", 422, "阅读位置无效";
        ProgressSecondsInvalid = "progress_seconds_invalid", 422, "学习时长无效";
        StudyPlanTitleInvalid = "study_plan_title_invalid", 422, "学习计划标题无效";
        StudyPlanArrangementInvalid = "study_plan_arrangement_invalid", 422, "季度安排无效";
        StudyPlanNoteInvalid = "study_plan_note_invalid", 422, "任务说明无效";
        StudyPlanShapeInvalid = "study_plan_shape_invalid", 422, "学习计划结构不符合要求";
        StudyPlanQuarterInvalid = "study_plan_quarter_invalid", 422, "季度无效或重复";
        StudyPlanMonthInvalid = "study_plan_month_invalid", 422, "任务月份无效";
        StudyPlanTasksTooMany = "study_plan_tasks_too_many", 422, "任务过多";
        StudyPlanMaterialInvalid = "study_plan_material_invalid", 422, "任务所指资料不可用";
        StudyPlanMaterialsTooMany = "study_plan_materials_too_many", 422, "任务所指资料过多";
        StudyPlanNeedsBranch = "study_plan_needs_branch", 422, "学习计划按党支部制定";
        StudyPlanCadresOnly = "study_plan_cadres_only", 422, "个人学习计划仅限领导干部";
        StudyReportSelectionInvalid = "study_report_selection_invalid", 422, "须指定月份或资料之一";
    }
    /// Appraisal campaigns (党性分析, 民主评议党员): stages, self-assessments, ballots, ratings.
    appraisal {
        AppraisalPeriodInvalid = "appraisal_period_invalid", 422, "评议期间无效";
        AppraisalShareInvalid = "appraisal_share_invalid", 422, "优秀比例无效";
        AppraisalNameInvalid = "appraisal_name_invalid", 422, "评议名称无效";
        AppraisalListInvalid = "appraisal_list_invalid", 422, "双十条清单无效";
        AppraisalScheduleInvalid = "appraisal_schedule_invalid", 422, "评议各阶段日期无效";
        AppraisalStageNotBegun = "appraisal_stage_not_begun", 422, "该评议阶段尚未开始";
        AppraisalStageOver = "appraisal_stage_over", 422, "该评议阶段已经结束";
        AppraisalPublicationRunsItsCourse = "appraisal_publication_runs_its_course", 422, "亮分公示须满公示期";
        AppraisalClosed = "appraisal_closed", 422, "评议已经结束";
        AppraisalOrgInvalid = "appraisal_org_invalid", 422, "评议须由党支部或其上级组织开展";
        AppraisalMeetingInvalid = "appraisal_meeting_invalid", 422, "所选活动不是本次评议范围内的组织生活会";
        AppraisalNoParticipants = "appraisal_no_participants", 422, "该组织下没有可参加评议的党员";
        AppraisalExcused = "appraisal_excused", 422, "你已被准假,不参加本次评议";
        AppraisalReasonInvalid = "appraisal_reason_invalid", 422, "理由无效";
        AppraisalRemindersOff = "appraisal_reminders_off", 409, "未配置自评提醒的订阅消息模板,不能发送提醒";
        AssessmentVersionStale = "assessment_version_stale", 412, "自评已在别处修改,请刷新后再保存";
        AssessmentSubmitted = "assessment_submitted", 422, "自评已提交,不能修改";
        AssessmentNotSubmitted = "assessment_not_submitted", 422, "自评尚未提交";
        RatingRationaleInvalid = "rating_rationale_invalid", 422, "评定理由无效";
        RatingNeedsNegativeItem = "rating_needs_negative_item", 422, "评为不合格须勾选负面清单中的情形";
        RatingExcellentQuota = "rating_excellent_quota", 422, "评为优秀的人数已达上限";
        RatingNotGraded = "rating_not_graded", 422, "该党员不参加评定(预备党员或已准假)";
        RatingMissing = "rating_missing", 422, "尚无评定结果";
        ObjectionOutsideWindow = "objection_outside_window", 422, "不在可提出异议或申诉的时间内";
        ObjectionExists = "objection_exists", 409, "已经提出过";
        ObjectionAnswered = "objection_answered", 409, "已经答复过";
        ObjectionGradeRequired = "objection_grade_required", 422, "支持异议时须给出新的评定等次";
        AppealNotUnqualified = "appeal_not_unqualified", 422, "只有评为不合格的党员可以申诉";
        RectificationTextInvalid = "rectification_text_invalid", 422, "整改内容文字无效";
        AssessmentTextInvalid = "assessment_text_invalid", 422, "自评内容文字无效";
        AssessmentPartRepeated = "assessment_part_repeated", 422, "自评内容有重复项";
        AssessmentItemUnknown = "assessment_item_unknown", 422, "没有这一条目";
        AssessmentTooManyProblems = "assessment_too_many_problems", 422, "查摆问题过多";
        AssessmentDueDateInvalid = "assessment_due_date_invalid", 422, "整改时限无效";
        AssessmentIncomplete = "assessment_incomplete", 422, "自评内容不完整,不能提交";
        PeerReviewSelf = "peer_review_self", 422, "不能评议自己";
        PeerReviewDimensionMissing = "peer_review_dimension_missing", 422, "互评须对六个方面逐一评定";
        PeerReviewDimensionRepeated = "peer_review_dimension_repeated", 422, "互评的评定方面有重复";
        PeerReviewCommentInvalid = "peer_review_comment_invalid", 422, "互评意见文字无效";
    }
    /// 96345 volunteer service: requests and their lifecycle, teams, the hours ledger,
    /// residents and moderation.
    volunteer {
        ServiceRequestStateConflict = "service_request_state_conflict", 409, "该服务工单当前状态下不能这样操作";
        ServiceRequestFieldInvalid = "service_request_field_invalid", 422, "服务工单内容不符合要求";
        ServiceRequestEmergency = "service_request_emergency", 422, "涉及生命危险或紧急情况，请立即拨打110、120或119";
        ServiceRequestContentRisky = "service_request_content_risky", 422, "内容含有违法违规信息，不能提交";
        ServiceRequestCommitteeRequired = "service_request_committee_required", 422, "请选择求助所在的乡镇";
        ServiceRequestFull = "service_request_full", 409, "该工单认领名额已满";
        ServiceRequestClaimedAlready = "service_request_claimed_already", 409, "你已认领该工单";
        ServiceRequestNotClaimant = "service_request_not_claimant", 403, "只有认领该工单的志愿者可以这样操作";
        ServiceRequestHeld = "service_request_held", 409, "工单内容待人工审核，暂不能派单";
        ServiceRequestAssigneeInvalid = "service_request_assignee_invalid", 422, "派单对象无效";
        ServiceRequestReasonInvalid = "service_request_reason_invalid", 422, "理由无效";
        ServiceRequestRatingInvalid = "service_request_rating_invalid", 422, "评价无效";
        ServiceRequestHoursInvalid = "service_request_hours_invalid", 422, "服务时长无效";
        ServiceRequestChanged = "service_request_changed", 409, "工单已被他人更新，请刷新后重试";
        ServiceRequestExtensionInvalid = "service_request_extension_invalid", 422, "延期天数无效";
        ServiceRequestExtensionPending = "service_request_extension_pending", 409, "已有延期申请等待审批";
        ServiceRequestExtensionMissing = "service_request_extension_missing", 409, "没有待审批的延期申请";
        ServiceDeadlineDaysInvalid = "service_deadline_days_invalid", 422, "期限天数超出允许范围";
        ServiceDeadlineClaimAfterComplete = "service_deadline_claim_after_complete", 422, "认领期限不能长于完成期限";
        ResidentPhoneSourceInvalid = "resident_phone_source_invalid", 422, "须提供手机号授权凭证，或两次输入的手机号";
        ResidentPhoneMismatch = "resident_phone_mismatch", 422, "两次输入的手机号不一致";
        ResidentNameInvalid = "resident_name_invalid", 422, "称呼无效";
        VolunteerTeamNameInvalid = "volunteer_team_name_invalid", 422, "队伍名称无效";
        VolunteerTeamNameTaken = "volunteer_team_name_taken", 409, "本镇已有同名的专业队伍";
        VolunteerTeamSkillsInvalid = "volunteer_team_skills_invalid", 422, "技能标签无效";
        VolunteerTeamLeaderInvalid = "volunteer_team_leader_invalid", 422, "队长须是本镇在册的党员";
        VolunteerTeamNeedsCommittee = "volunteer_team_needs_committee", 422, "专业队伍由镇党委组建";
        VolunteerTeamDissolved = "volunteer_team_dissolved", 409, "该队伍已解散";
        VolunteerTeamNoteInvalid = "volunteer_team_note_invalid", 422, "入队申请说明无效";
        VolunteerTeamAlreadyMember = "volunteer_team_already_member", 409, "已是该队伍的队员";
        VolunteerTeamRequestPending = "volunteer_team_request_pending", 409, "入队申请正在审核中";
        VolunteerTeamRequestNotPending = "volunteer_team_request_not_pending", 409, "入队申请已处理";
        VolunteerTeamLeaderStays = "volunteer_team_leader_stays", 409, "队长不能退出或被移出队伍，请先更换队长";
        VolunteerHoursMinutesInvalid = "volunteer_hours_minutes_invalid", 422, "服务时长无效";
        VolunteerHoursDateInvalid = "volunteer_hours_date_invalid", 422, "服务日期须在最近 90 天内且不晚于今天";
        VolunteerHoursNoteInvalid = "volunteer_hours_note_invalid", 422, "说明文字无效";
        VolunteerHoursNotPending = "volunteer_hours_not_pending", 409, "该时长记录已审核";
        VolunteerHoursNotConfirmed = "volunteer_hours_not_confirmed", 409, "只能更正已确认的时长记录";
        VolunteerHoursBelowZero = "volunteer_hours_below_zero", 422, "更正后该记录的时长不能为负";
        VolunteerHoursOwnEntry = "volunteer_hours_own_entry", 422, "不能审核或更正自己的时长记录";
    }

    /// 先锋指数: rule sets, claims, deductions, the half-yearly index and the warning level.
    pioneer {
        PioneerRulesInvalid = "pioneer_rules_invalid", 422, "考评细则无效";
        PioneerNeedsCommittee = "pioneer_needs_committee", 422, "先锋指数考评细则由镇党委制定";
        PioneerRulesChanged = "pioneer_rules_changed", 409, "考评细则刚被他人修改，请刷新后重试";
        PioneerHalfInvalid = "pioneer_half_invalid", 422, "半年度格式应为 YYYY-H1 或 YYYY-H2";
        PioneerHalfNotBegun = "pioneer_half_not_begun", 422, "该半年度尚未开始，不能考评";
        PioneerIndexBusy = "pioneer_index_busy", 409, "先锋指数正在计算或刚被他人操作，请稍后再试";
        PioneerIndexConfirmed = "pioneer_index_confirmed", 409, "该半年度的先锋指数已确认，不能再计算或更改";
        PioneerWarningBelowQuota = "pioneer_warning_below_quota", 422, "警示型党员不得少于参评党员的5‰";
        PioneerWarningLowestLeftOut = "pioneer_warning_lowest_left_out", 422, "指数最低的党员须评为警示型";
        PioneerWarningNotInPool = "pioneer_warning_not_in_pool", 422, "所选党员不在本半年度的参评范围内";
        PioneerHelpBranchInvalid = "pioneer_help_branch_invalid", 422, "教育帮扶支部须是本镇的党支部";
        PioneerHelpBranchUnset = "pioneer_help_branch_unset", 409, "本镇尚未指定教育帮扶支部";
        PioneerIndexNotConfirmed = "pioneer_index_not_confirmed", 409, "该半年度的先锋指数尚未确认";
        PioneerPublicationOpen = "pioneer_publication_open", 409, "公示期尚未结束";
        PioneerNotInHelpBranch = "pioneer_not_in_help_branch", 409, "该党员不在教育帮扶支部";
        PioneerPublicationClosed = "pioneer_publication_closed", 409, "不在公示期内，不能提出异议";
        PioneerObjectionExists = "pioneer_objection_exists", 409, "每名党员只能提出一次异议";
        PioneerObjectionAnswered = "pioneer_objection_answered", 409, "该异议已答复";
        PioneerObjectionsOpen = "pioneer_objections_open", 409, "尚有异议未答复";
        PioneerObjectionTextInvalid = "pioneer_objection_text_invalid", 422, "异议或答复内容无效";
        PioneerReturnNotDue = "pioneer_return_not_due", 422, "须在此后某一半年度考评中不再被评为警示型后方可转回";
        PioneerHalfNotOpen = "pioneer_half_not_open", 422, "只能申报或记录本半年度或上一半年度的项目";
        PioneerHalfClosed = "pioneer_half_closed", 409, "该半年度先锋指数已测评，不能再变更";
        PioneerMemberExcluded = "pioneer_member_excluded", 422, "该党员不参加先锋指数考评";
        PioneerItemNotApplicable = "pioneer_item_not_applicable", 422, "该项目不在适用于该党员的考评细则中";
        PioneerClaimTextInvalid = "pioneer_claim_text_invalid", 422, "申报说明无效";
        PioneerEvidenceInvalid = "pioneer_evidence_invalid", 422, "佐证链接无效";
        PioneerClaimNotFound = "pioneer_claim_not_found", 422, "没有这条申报或不在你的审批范围内";
        PioneerClaimNotPending = "pioneer_claim_not_pending", 409, "该申报已审批";
        PioneerClaimOwn = "pioneer_claim_own", 422, "不能审批自己的申报";
        PioneerClaimOverCap = "pioneer_claim_over_cap", 422, "该项目本半年度加分已达上限";
        PioneerDeductionReasonInvalid = "pioneer_deduction_reason_invalid", 422, "扣分事由无效";
        PioneerZeroingByTownship = "pioneer_zeroing_by_township", 403, "一票否决项目由镇党委记录";
        PioneerObjectionMissing = "pioneer_objection_missing", 409, "该扣分没有待答复的异议";
    }
}

impl ErrorCode {
    /// The code whose wire form is `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_a_title_a_status_and_one_snake_case_wire_form() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                s.split('_').all(|w| !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "{s} is not snake_case"
            );
            assert!(!code.title().trim().is_empty(), "{s} has no title");
            assert!(
                (400..600).contains(&code.status()),
                "{s}: status {}",
                code.status()
            );
            assert_eq!(ErrorCode::parse(s), Some(*code));
        }
    }

    #[test]
    fn the_variant_name_spells_the_wire_form() {
        for code in ErrorCode::ALL {
            let camel: String = code
                .as_str()
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            assert_eq!(format!("{code:?}"), camel);
        }
    }
}
