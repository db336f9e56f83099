using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UsagePortal.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class InvoiceListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Invoices_PaymentState_PeriodStart",
                table: "Invoices",
                columns: new[] { "PaymentState", "PeriodStart" });

            migrationBuilder.CreateIndex(
                name: "IX_Invoices_PeriodStart",
                table: "Invoices",
                column: "PeriodStart");

            migrationBuilder.CreateIndex(
                name: "IX_Invoices_Status_PeriodStart",
                table: "Invoices",
                columns: new[] { "Status", "PeriodStart" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Invoices_PaymentState_PeriodStart",
                table: "Invoices");

            migrationBuilder.DropIndex(
                name: "IX_Invoices_PeriodStart",
                table: "Invoices");

            migrationBuilder.DropIndex(
                name: "IX_Invoices_Status_PeriodStart",
                table: "Invoices");
        }
    }
}
