namespace UsagePortal.Domain.Email;

/// <summary>
/// Absolute links for e-mails, built from the portal's configured public address (the web project implements it):
/// never from a request's Host header, which anyone can forge.
/// </summary>
public interface IPublicLinks
{
    /// <summary>An absolute link to <paramref name="path"/> (relative to the public base, e.g. <c>Account/AcceptInvitation</c>) with a query.</summary>
    string Link(string path, IDictionary<string, string?> query);
}
