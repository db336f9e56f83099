using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UsagePortal.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class BillingFailures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BillingError",
                table: "Subscriptions",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "BillingFailedAt",
                table: "Subscriptions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "BillingFailures",
                table: "Subscriptions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "BillingRetryAt",
                table: "Subscriptions",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BillingError",
                table: "Subscriptions");

            migrationBuilder.DropColumn(
                name: "BillingFailedAt",
                table: "Subscriptions");

            migrationBuilder.DropColumn(
                name: "BillingFailures",
                table: "Subscriptions");

            migrationBuilder.DropColumn(
                name: "BillingRetryAt",
                table: "Subscriptions");
        }
    }
}
