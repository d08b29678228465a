DROP TABLE listing_photos;
DROP TABLE listings;
DROP TABLE categories;
DROP TABLE sections;
DROP TABLE places;
