using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UsagePortal.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DailyTier : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_UsageEvents_Customers_CustomerId",
                table: "UsageEvents");

            migrationBuilder.DropPrimaryKey(
                name: "PK_UsageRollups",
                table: "UsageRollups");

            migrationBuilder.DropPrimaryKey(
                name: "PK_UsageDistinctValues",
                table: "UsageDistinctValues");

            migrationBuilder.AddPrimaryKey(
                name: "PK_UsageRollups",
                table: "UsageRollups",
                columns: new[] { "CustomerId", "BucketStart", "MeterId", "GroupKey" });

            migrationBuilder.AddPrimaryKey(
                name: "PK_UsageDistinctValues",
                table: "UsageDistinctValues",
                columns: new[] { "CustomerId", "BucketStart", "MeterId", "GroupKey", "Value" });

            migrationBuilder.CreateTable(
                name: "RollupTierStates",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    DailyCompleteFrom = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RollupTierStates", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "UsageDailyDistinctValues",
                columns: table => new
                {
                    CustomerId = table.Column<int>(type: "integer", nullable: false),
                    MeterId = table.Column<int>(type: "integer", nullable: false),
                    GroupKey = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    BucketStart = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Value = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageDailyDistinctValues", x => new { x.CustomerId, x.BucketStart, x.MeterId, x.GroupKey, x.Value });
                });

            migrationBuilder.CreateTable(
                name: "UsageDailyRollups",
                columns: table => new
                {
                    CustomerId = table.Column<int>(type: "integer", nullable: false),
                    MeterId = table.Column<int>(type: "integer", nullable: false),
                    GroupKey = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    BucketStart = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false),
                    Sum = table.Column<decimal>(type: "numeric", nullable: false),
                    Max = table.Column<decimal>(type: "numeric", nullable: true),
                    LatestValue = table.Column<decimal>(type: "numeric", nullable: true),
                    LatestTime = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LatestSequence = table.Column<long>(type: "bigint", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageDailyRollups", x => new { x.CustomerId, x.BucketStart, x.MeterId, x.GroupKey });
                    table.ForeignKey(
                        name: "FK_UsageDailyRollups_Meters_MeterId",
                        column: x => x.MeterId,
                        principalTable: "Meters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_UsageDailyRollups_MeterId",
                table: "UsageDailyRollups",
                column: "MeterId");

            // Rollups are updated in place by every batch that touches them: room left in each page lets PostgreSQL keep
            // the new row version on the same page without touching the indexes (a HOT update). Pages written from now on.
            migrationBuilder.Sql("""ALTER TABLE "UsageRollups" SET (fillfactor = 70)""");
            migrationBuilder.Sql("""ALTER TABLE "UsageDailyRollups" SET (fillfactor = 70)""");

            // Rollups stored before the daily tier existed are in hourly rows only: days after now (and after the latest hour
            // stored) are complete in the daily tier, earlier ones are read from the hourly rollups. A new database is complete from the start.
            migrationBuilder.Sql("""
                INSERT INTO "RollupTierStates" ("Id", "DailyCompleteFrom")
                SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM "UsageRollups")
                    THEN GREATEST(now(), (SELECT max("BucketStart") FROM "UsageRollups") + INTERVAL '1 hour')
                    ELSE TIMESTAMPTZ '0001-01-01 00:00:00+00' END
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE "UsageRollups" RESET (fillfactor)""");

            migrationBuilder.DropTable(
                name: "RollupTierStates");

            migrationBuilder.DropTable(
                name: "UsageDailyDistinctValues");

            migrationBuilder.DropTable(
                name: "UsageDailyRollups");

            migrationBuilder.DropPrimaryKey(
                name: "PK_UsageRollups",
                table: "UsageRollups");

            migrationBuilder.DropPrimaryKey(
                name: "PK_UsageDistinctValues",
                table: "UsageDistinctValues");

            migrationBuilder.AddPrimaryKey(
                name: "PK_UsageRollups",
                table: "UsageRollups",
                columns: new[] { "CustomerId", "MeterId", "BucketStart", "GroupKey" });

            migrationBuilder.AddPrimaryKey(
                name: "PK_UsageDistinctValues",
                table: "UsageDistinctValues",
                columns: new[] { "CustomerId", "MeterId", "BucketStart", "GroupKey", "Value" });

            migrationBuilder.AddForeignKey(
                name: "FK_UsageEvents_Customers_CustomerId",
                table: "UsageEvents",
                column: "CustomerId",
                principalTable: "Customers",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }
    }
}
