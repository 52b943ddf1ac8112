-- Great-circle distance in km between two WGS84 points, on a sphere of radius
--   6371 km: straight-line legs between stops and stop-to-town distances.
create or replace temp macro haversine_km(lat1, lon1, lat2, lon2) as
2 * 6371.0 * asin(sqrt(
    pow(sin(radians(lat2 - lat1) / 2), 2)
    + cos(radians(lat1)) * cos(radians(lat2))
    * pow(sin(radians(lon2 - lon1) / 2), 2)
))
