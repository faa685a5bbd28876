package durable

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/wasmsched/wasmsched/sched"
)

// backend is what the Scheduler needs of a River client, whatever its
// database: River's Client is generic in its driver's transaction type,
// and this keeps that type out of the package's API.
type backend interface {
	insertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	list(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	// cancelQueued cancels the job if it is still queued, storing output
	// on it in the same transaction; it reports whether it did, and the
	// job's row as it is then.
	cancelQueued(ctx context.Context, id int64, output any) (*rivertype.JobRow, bool, error)
	start(ctx context.Context) error
	stop(ctx context.Context) error
	close()
}

// client is a River client and the transactions of its database.
type client[TTx any] struct {
	c       *river.Client[TTx]
	begin   func(ctx context.Context) (tx TTx, commit func(context.Context) error, rollback func(context.Context) error, err error)
	closeDB func()
}

func (c *client[TTx]) insertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	return c.c.InsertMany(ctx, params)
}

func (c *client[TTx]) list(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error) {
	return c.c.JobList(ctx, params)
}

// cancelQueued first updates the job's output, which locks its row until
// the transaction ends (Postgres: River's fetch skips locked rows; SQLite:
// the write transaction excludes every other writer). So no process can
// start the job between the check of its state and the cancel: a start
// already under way is never interrupted, as in sched.
func (c *client[TTx]) cancelQueued(ctx context.Context, id int64, output any) (*rivertype.JobRow, bool, error) {
	tx, commit, rollback, err := c.begin(ctx)
	if err != nil {
		return nil, false, err
	}
	defer rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after commit
	row, err := c.c.JobUpdateTx(ctx, tx, id, &river.JobUpdateParams{Output: output})
	if err != nil {
		return nil, false, err
	}
	if stateOf(row) != sched.Queued {
		return row, false, nil // rolled back: the output stays as it was
	}
	row, err = c.c.JobCancelTx(ctx, tx, id)
	if err != nil {
		return nil, false, err
	}
	if row.State != rivertype.JobStateCancelled {
		return nil, false, fmt.Errorf("durable: cancelling job %d left it %s", id, row.State)
	}
	if err := commit(ctx); err != nil {
		return nil, false, err
	}
	return row, true, nil
}

func (c *client[TTx]) start(ctx context.Context) error { return c.c.Start(ctx) }
func (c *client[TTx]) stop(ctx context.Context) error  { return c.c.Stop(ctx) }
func (c *client[TTx]) close()                          { c.closeDB() }

// newClient migrates the database to River's current schema and makes a
// client on it.
func newClient[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], cfg *river.Config) (*river.Client[TTx], error) {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("durable: migrating River's tables: %w", err)
	}
	return river.NewClient(driver, cfg)
}

func sqliteBackend(ctx context.Context, db *sql.DB, cfg *river.Config) (backend, error) {
	c, err := newClient(ctx, riversqlite.New(db), cfg)
	if err != nil {
		return nil, err
	}
	return &client[*sql.Tx]{
		c: c,
		begin: func(ctx context.Context) (*sql.Tx, func(context.Context) error, func(context.Context) error, error) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return nil, nil, nil, err
			}
			return tx, func(context.Context) error { return tx.Commit() }, func(context.Context) error { return tx.Rollback() }, nil
		},
		closeDB: func() { db.Close() },
	}, nil
}

func postgresBackend(ctx context.Context, pool *pgxpool.Pool, cfg *river.Config) (backend, error) {
	c, err := newClient(ctx, riverpgxv5.New(pool), cfg)
	if err != nil {
		return nil, err
	}
	return &client[pgx.Tx]{
		c: c,
		begin: func(ctx context.Context) (pgx.Tx, func(context.Context) error, func(context.Context) error, error) {
			tx, err := pool.Begin(ctx)
			if err != nil {
				return nil, nil, nil, err
			}
			return tx, tx.Commit, tx.Rollback, nil
		},
		closeDB: pool.Close,
	}, nil
}
