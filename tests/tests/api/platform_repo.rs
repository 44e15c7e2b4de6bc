//! The settings repository on the configured backend: one value per key, replaced by `put`.

use domain::platform::{Setting, SettingKey, SettingRepo};
use tests::TestDatabase;

use crate::repo_support::at;

fn setting(key: &str, value: &str, secs: i64, by: Option<uuid::Uuid>) -> Setting {
    Setting {
        key: SettingKey::parse(key).unwrap(),
        value: value.into(),
        updated_at: at(secs),
        updated_by: by,
    }
}

#[tokio::test]
async fn a_setting_never_put_is_absent() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;

    let key = SettingKey::parse("study.points.daily_cap").unwrap();

    assert_eq!(db.repos().get(&key).await.unwrap(), None);
}

#[tokio::test]
async fn put_stores_a_value_and_replaces_it_under_the_same_key_only() {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let repos = db.repos();
    let admin = uuid::Uuid::now_v7();
    let cap = setting("study.points.daily_cap", "10", 0, Some(admin));
    let other = setting("push.enabled", "true", 0, None);
    repos.put(&cap).await.unwrap();
    repos.put(&other).await.unwrap();
    assert_eq!(repos.get(&cap.key).await.unwrap(), Some(cap.clone()));

    // Every field is replaced, the author too (a change by the system has none).
    let changed = setting("study.points.daily_cap", "{\"cap\": 12}", 60, None);
    repos.put(&changed).await.unwrap();

    assert_eq!(repos.get(&cap.key).await.unwrap(), Some(changed));
    assert_eq!(repos.get(&other.key).await.unwrap(), Some(other));
}
