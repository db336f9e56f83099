using Microsoft.Data.Sqlite;
using Npgsql;
using UsagePortal.Data;

namespace UsagePortal.Testing;

/// <summary>
/// A fresh, empty database for one test host: a real SQLite file in a temporary folder, or a new database on
/// the PostgreSQL server that .ci/test-all starts (its address in <c>USAGEPORTAL_TEST_POSTGRES</c>).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "USAGEPORTAL_TEST_POSTGRES";

    private readonly string? folder;
    private readonly string? postgresName;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? folder, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        this.folder = folder;
        this.postgresName = postgresName;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>Whether <see cref="DisposeAsync"/> leaves the database behind (a benchmark kept for a profile).</summary>
    public bool Kept { get; private set; }

    /// <summary>Leaves the database in place when this is disposed, and says where it is.</summary>
    public string Keep()
    {
        Kept = true;
        return ConnectionString;
    }

    public static TestDatabase Create(DatabaseProvider provider) =>
        provider == DatabaseProvider.Sqlite ? CreateSqlite() : CreatePostgres();

    public static TestDatabase CreateSqlite()
    {
        var folder = Directory.CreateTempSubdirectory("usageportal-test-").FullName;
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "test.db"), DefaultTimeout = 30 }.ToString();
        return new TestDatabase(DatabaseProvider.Sqlite, connectionString, folder, null);
    }

    public static TestDatabase CreatePostgres()
    {
        var server = PostgresServer;
        var name = $"up_test_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(server))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            command.ExecuteNonQuery();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
        return new TestDatabase(DatabaseProvider.Postgres, connectionString, null, name);
    }

    /// <summary>The test PostgreSQL server. Tests that need it fail loudly without it: run them with .ci/test-all.</summary>
    public static string PostgresServer =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{PostgresVariable} is not set. Run the tests with `bash .ci/test-all`, which starts a PostgreSQL server for them.");

    public async ValueTask DisposeAsync()
    {
        if (Kept)
        {
            return;
        }

        if (postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(PostgresServer);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{postgresName}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }

        if (folder is not null)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a finishing host; the OS temp cleaner takes it.
            }
        }
    }
}
