-- Where a photo was taken, only when the technician switched location on
-- for that photo (issue 8). Kept beside the intake's photo, never in the
-- photo's file; all three are NULL for a photo without a location.
ALTER TABLE intake_photos ADD COLUMN latitude REAL;
ALTER TABLE intake_photos ADD COLUMN longitude REAL;
ALTER TABLE intake_photos ADD COLUMN accuracy_m REAL;
