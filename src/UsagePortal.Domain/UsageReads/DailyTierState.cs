using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;

namespace UsagePortal.Domain.UsageReads;

/// <summary>
/// From when the daily rollups are complete (<see cref="Data.Metering.RollupTierState"/>): read once, since only the
/// migration that created the tier writes it. Days before it are read from the hourly rollups.
/// </summary>
public sealed class DailyTierState
{
    private DateTime? completeFrom;

    public async ValueTask<DateTime> CompleteFromAsync(UsagePortalDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (completeFrom is { } known)
        {
            return known;
        }

        // No row (a database not made by the migrations): the daily tier is never read.
        var stored = await db.RollupTierStates.AsNoTracking().Where(t => t.Id == 1).Select(t => (DateTime?)t.DailyCompleteFrom).SingleOrDefaultAsync(cancellationToken);
        completeFrom = stored ?? DateTime.MaxValue;
        return completeFrom.Value;
    }
}
