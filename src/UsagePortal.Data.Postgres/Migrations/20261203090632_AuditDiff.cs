using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UsagePortal.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AuditDiff : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "After",
                table: "AuditEntries",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Before",
                table: "AuditEntries",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "After",
                table: "AuditEntries");

            migrationBuilder.DropColumn(
                name: "Before",
                table: "AuditEntries");
        }
    }
}
