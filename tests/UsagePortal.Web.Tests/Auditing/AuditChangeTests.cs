using UsagePortal.Data.Auditing;
using UsagePortal.Domain.Auditing;

namespace UsagePortal.Web.Tests.Auditing;

/// <summary>How a change is written to the log and read back as the page's rows.</summary>
public sealed class AuditChangeTests
{
    [Fact]
    public void AStateIsWrittenAsAJsonObjectInTheOrderItsFieldsWereAddedWithNullsAndOtherScriptsKept()
    {
        var state = new AuditState { { "zeta", "€ 12,50" }, { "alpha", null }, { "mid", "\"quoted\" <b>" } };

        var json = AuditChange.Write(state);

        Assert.Equal("""{"zeta":"€ 12,50","alpha":null,"mid":"\"quoted\" <b>"}""", json);
        Assert.Equal(state.ToList(), AuditChange.Read(json)!.ToList());
        Assert.Null(AuditChange.Write(null));
        Assert.Null(AuditChange.Read(null));
    }

    [Fact]
    public void RowsFollowTheFieldsBeforeThenTheNewOnesAndSayWhichChanged()
    {
        var change = AuditChange.Of(
            new AuditState { { "name", "Old" }, { "email", "a@example.test" }, { "gone", "x" } },
            new AuditState { { "name", "New" }, { "email", "a@example.test" }, { "added", "y" } });

        var rows = change.Rows();

        Assert.Equal(
            [new AuditDiffRow("name", "Old", "New"), new AuditDiffRow("email", "a@example.test", "a@example.test"), new AuditDiffRow("gone", "x", null), new AuditDiffRow("added", null, "y")],
            rows);
        Assert.Equal([true, false, true, true], rows.Select(r => r.Changed));
        Assert.True(change.Changes);
        Assert.False(AuditChange.Of(new AuditState { { "name", "Same" } }, new AuditState { { "name", "Same" } }).Changes);
    }

    [Fact]
    public void AnEntryWrittenBeforeTheLogKeptStatesHasNoRows()
    {
        var entry = new AuditEntry { Actor = "system", Action = "customer.updated", Subject = "customer:old", Details = "name=Old" };

        Assert.Empty(AuditChange.Of(entry).Rows());
    }

    [Fact]
    public void AFieldNamedTwiceIsAMistake() =>
        Assert.Throws<ArgumentException>(() => new AuditState { { "name", "a" }, { "name", "b" } });
}
