CREATE TABLE notes (id serial PRIMARY KEY, owner uuid NOT NULL, text text NOT NULL);
CREATE TABLE effects (id serial PRIMARY KEY, event_user uuid NOT NULL);
