using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Components.Account;

internal static class AccountEndpoints
{
    /// <summary>Endpoints the account pages post to that are not pages themselves.</summary>
    public static IEndpointConventionBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/Account");
        account.MapPost("/Logout", async (HttpContext context, [FromServices] IAntiforgery antiforgery, [FromServices] SignInManager<ApplicationUser> signInManager) =>
        {
            // Only the layout's own sign-out form (it carries the antiforgery token): another site's auto-submitting
            // form would otherwise sign people out at will. The endpoint reads no form field, so nothing checks the
            // token unless this does.
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.Content(
                    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\" /><title>Not signed out · UsagePortal</title></head>" +
                    "<body><p>You were not signed out: the request did not come from the portal's sign-out button. <a href=\"/\">Back to the portal</a>.</p></body></html>",
                    "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
            }

            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect("~/Account/Login");
        });
        return account;
    }
}
