//! Location check-in: is the member's reported position inside the activity's geofence?
//!
//! Coordinates are GCJ-02, the datum WeChat's `wx.getLocation` returns when called with
//! `type: 'gcj02'` (the mini-program must ask for it; the default is WGS-84) and that
//! `wx.chooseLocation` returns when the secretary places the fence. Fence and member point
//! are in the same datum, so no conversion is needed: the GCJ-02 shift is nearly constant
//! over a few kilometres and cancels out of the distance.

/// Mean Earth radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A latitude and longitude in degrees (GCJ-02).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lng: f64,
}

impl GeoPoint {
    /// Refuses non-finite values, latitudes outside [-90, 90] and longitudes outside
    /// [-180, 180]. (A range test is false for NaN and the infinities lie outside it.)
    pub fn new(lat: f64, lng: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng))
            .then_some(Self { lat, lng })
    }

    pub const fn lat(&self) -> f64 {
        self.lat
    }

    pub const fn lng(&self) -> f64 {
        self.lng
    }
}

/// A circle around the activity's venue that a location check-in must fall in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geofence {
    center: GeoPoint,
    radius_m: f64,
}

impl Geofence {
    /// Smaller than 10 m is below phone GPS accuracy; larger than 5 km no longer proves
    /// presence.
    pub const MIN_RADIUS_M: f64 = 10.0;
    pub const MAX_RADIUS_M: f64 = 5000.0;

    pub fn new(center: GeoPoint, radius_m: f64) -> Option<Self> {
        (Self::MIN_RADIUS_M..=Self::MAX_RADIUS_M)
            .contains(&radius_m)
            .then_some(Self { center, radius_m })
    }

    pub const fn center(&self) -> GeoPoint {
        self.center
    }

    pub const fn radius_m(&self) -> f64 {
        self.radius_m
    }

    /// True when `p` is at most the radius from the centre (the edge counts as inside).
    pub fn contains(&self, p: GeoPoint) -> bool {
        distance_m(self.center, p) <= self.radius_m
    }
}

/// Great-circle distance in metres (haversine formula on a sphere of the mean Earth radius;
/// within about 0.5 % of the ellipsoid, plenty for a fence of tens of metres).
pub fn distance_m(a: GeoPoint, b: GeoPoint) -> f64 {
    let (phi_a, phi_b) = (a.lat.to_radians(), b.lat.to_radians());
    let d_phi = (b.lat - a.lat).to_radians();
    let d_lambda = (b.lng - a.lng).to_radians();
    let h =
        (d_phi / 2.0).sin().powi(2) + phi_a.cos() * phi_b.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint::new(lat, lng).unwrap_or_else(|| panic!("{lat},{lng} is valid"))
    }

    /// The point `metres` due north of `p`.
    fn north_of(p: GeoPoint, metres: f64) -> GeoPoint {
        point(p.lat + (metres / EARTH_RADIUS_M).to_degrees(), p.lng)
    }

    #[test]
    fn a_thousandth_of_a_degree_of_latitude_is_about_111_metres() {
        let a = point(30.0, 120.0);
        let b = point(30.001, 120.0);
        assert!(
            (distance_m(a, b) - 111.195).abs() < 0.5,
            "{}",
            distance_m(a, b)
        );
        assert!(distance_m(a, a).abs() < 1e-9);
        // One degree of longitude on the equator.
        let d = distance_m(point(0.0, 0.0), point(0.0, 1.0));
        assert!((d - 111_195.08).abs() < 0.5, "{d}");
    }

    #[test]
    fn the_fence_edge_counts_as_inside() {
        let venue = point(30.2741, 120.1551);
        let fence = Geofence::new(venue, 100.0).unwrap_or_else(|| panic!("valid fence"));
        assert!(fence.contains(venue));
        assert!(fence.contains(north_of(venue, 99.9)));
        assert!(!fence.contains(north_of(venue, 100.1)));
    }

    #[test]
    fn invalid_coordinates_and_radii_are_refused() {
        for (lat, lng) in [
            (90.1, 0.0),
            (-90.1, 0.0),
            (0.0, 180.1),
            (0.0, -180.1),
            (f64::NAN, 0.0),
            (0.0, f64::INFINITY),
        ] {
            assert_eq!(GeoPoint::new(lat, lng), None, "{lat},{lng}");
        }
        assert!(GeoPoint::new(-90.0, 180.0).is_some());
        let venue = point(30.0, 120.0);
        assert!(Geofence::new(venue, 9.9).is_none());
        assert!(Geofence::new(venue, 5000.1).is_none());
        assert!(Geofence::new(venue, f64::NAN).is_none());
        assert!(Geofence::new(venue, 10.0).is_some());
        assert!(Geofence::new(venue, 5000.0).is_some());
    }
}
