-- Seed 004's two-stage pipeline: recipe pages (raw HTML) in `raw_recipes` are parsed into
-- JSON in `parsed_recipes`, and recipes over 300 calories raise an alert in `calorie_alerts`.
--   weir demo recipes
--   weir -f demos/kafka-recipes.sql            (runs until Ctrl-C)
--   weir consume calorie_alerts
CREATE TABLE raw_recipes (html STRING) WITH ('connector' = 'kafka', 'topic' = 'raw_recipes', 'format' = 'raw',
                                             'scan.startup.mode' = 'earliest-offset');
CREATE TABLE parsed_recipes (title STRING, servings INT, calories INT)
  WITH ('connector' = 'kafka', 'topic' = 'parsed_recipes', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
CREATE TABLE calorie_alerts (title STRING, calories INT, alert STRING)
  WITH ('connector' = 'kafka', 'topic' = 'calorie_alerts', 'format' = 'json');

EXECUTE STATEMENT SET BEGIN
  INSERT INTO parsed_recipes
  SELECT REGEXP_EXTRACT(html, '<h1 class="headline recipe-title">([^<]*)</h1>', 1),
         CAST(REGEXP_EXTRACT(html, '<span class="recipe-servings">([0-9]+) servings', 1) AS INT),
         CAST(REGEXP_EXTRACT(html, '<span class="calorie-count"><span>([0-9]+)</span>', 1) AS INT)
  FROM raw_recipes;
  INSERT INTO calorie_alerts
  SELECT title, calories, CONCAT('Alert: ', title, ' has ', CAST(calories AS STRING), ' calories')
  FROM parsed_recipes WHERE calories > 300;
END;
