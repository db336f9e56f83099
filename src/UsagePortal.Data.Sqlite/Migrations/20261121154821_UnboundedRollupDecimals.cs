using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UsagePortal.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class UnboundedRollupDecimals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
