//! A stand-in for WeChat's server API (wiremock), for tests of residents and their text:
//! sign-in codes, phone codes and the content check (`wxa/msg_sec_check`). Mount what a
//! test needs on one [`MockServer`] and spawn the app with `TestOptions { wechat_base:
//! Some(server.uri()), .. }`.

use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The access token the stand-in hands out.
pub const STUB_ACCESS_TOKEN: &str = "stub-access-token";

/// `cgi-bin/stable_token` hands out [`STUB_ACCESS_TOKEN`].
pub async fn access_token_stub(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"access_token":"{STUB_ACCESS_TOKEN}","expires_in":7200}}"#
        )))
        .mount(server)
        .await;
}

/// `sns/jscode2session` names `openid` for the `wx.login` code `code`.
pub async fn login_stub(server: &MockServer, code: &str, openid: &str) {
    Mock::given(method("GET"))
        .and(path("/sns/jscode2session"))
        .and(query_param("js_code", code))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(format!(r#"{{"openid":"{openid}","session_key":"sk"}}"#)),
        )
        .mount(server)
        .await;
}

/// `getuserphonenumber` vouches for the mainland `phone` behind `phone_code` (to the test
/// app). Mount [`access_token_stub`] too.
pub async fn phone_stub(server: &MockServer, phone_code: &str, phone: &str) {
    Mock::given(method("POST"))
        .and(path("/wxa/business/getuserphonenumber"))
        .and(body_partial_json(json!({ "code": phone_code })))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"errcode":0,"errmsg":"ok","phone_info":{{"phoneNumber":"{phone}","purePhoneNumber":"{phone}","countryCode":"86","watermark":{{"timestamp":1700000000,"appid":"{}"}}}}}}"#,
            crate::TEST_WECHAT_APP_ID
        )))
        .mount(server)
        .await;
}

/// WeChat's content check answering `suggest` (`pass`, `review` or `risky`) for every
/// text, and the access token it needs. The app then moderates by that answer.
pub async fn content_check_stub(server: &MockServer, suggest: &str) {
    access_token_stub(server).await;
    Mock::given(method("POST"))
        .and(path("/wxa/msg_sec_check"))
        .respond_with(sec_check_answer(suggest))
        .mount(server)
        .await;
}

/// WeChat's content check answering `suggest` for texts that are exactly `text` (mount
/// several for several texts; mount [`access_token_stub`] once).
pub async fn content_check_stub_for(server: &MockServer, text: &str, suggest: &str) {
    Mock::given(method("POST"))
        .and(path("/wxa/msg_sec_check"))
        .and(body_partial_json(json!({ "content": text })))
        .respond_with(sec_check_answer(suggest))
        .mount(server)
        .await;
}

/// `msg_sec_check` v2's answer with `result.suggest` = `suggest`.
pub fn sec_check_answer(suggest: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_string(format!(
        r#"{{"errcode":0,"errmsg":"ok","result":{{"suggest":"{suggest}","label":100}},"detail":[],"trace_id":"stub"}}"#
    ))
}
