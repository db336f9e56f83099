using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UsagePortal.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class UnboundedRollupDecimals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<decimal>(
                name: "Sum",
                table: "UsageRollups",
                type: "numeric",
                nullable: false,
                oldClrType: typeof(decimal),
                oldType: "numeric(38,12)",
                oldPrecision: 38,
                oldScale: 12);

            migrationBuilder.AlterColumn<decimal>(
                name: "Max",
                table: "UsageRollups",
                type: "numeric",
                nullable: true,
                oldClrType: typeof(decimal),
                oldType: "numeric(38,12)",
                oldPrecision: 38,
                oldScale: 12,
                oldNullable: true);

            migrationBuilder.AlterColumn<decimal>(
                name: "LatestValue",
                table: "UsageRollups",
                type: "numeric",
                nullable: true,
                oldClrType: typeof(decimal),
                oldType: "numeric(38,12)",
                oldPrecision: 38,
                oldScale: 12,
                oldNullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<decimal>(
                name: "Sum",
                table: "UsageRollups",
                type: "numeric(38,12)",
                precision: 38,
                scale: 12,
                nullable: false,
                oldClrType: typeof(decimal),
                oldType: "numeric");

            migrationBuilder.AlterColumn<decimal>(
                name: "Max",
                table: "UsageRollups",
                type: "numeric(38,12)",
                precision: 38,
                scale: 12,
                nullable: true,
                oldClrType: typeof(decimal),
                oldType: "numeric",
                oldNullable: true);

            migrationBuilder.AlterColumn<decimal>(
                name: "LatestValue",
                table: "UsageRollups",
                type: "numeric(38,12)",
                precision: 38,
                scale: 12,
                nullable: true,
                oldClrType: typeof(decimal),
                oldType: "numeric",
                oldNullable: true);
        }
    }
}
