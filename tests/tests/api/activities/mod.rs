//! Theme day and 三会一课 through the API, one file per route seam (as in
//! api/src/routes/activity/): scheduling, check-in rules and races, review in scope,
//! exemptions, attendance, the month's plan and the compliance report. The shared setup is
//! in [`world`]. The rules behind the refusals are unit-tested in the domain crate
//! (domain/src/activity/service/, against the manual clock); these tests hold the HTTP
//! contract: status codes, error codes, scope and what is stored.

mod attendance;
mod check_in;
mod check_in_group_commit;
mod exemptions;
mod holidays;
mod manage;
mod reports;
mod review;
mod world;
