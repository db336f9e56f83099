namespace UsagePortal.Data.Identity;

/// <summary>The three roles of the product (shared/PRODUCT.md, "Roles").</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string CustomerOwner = "CustomerOwner";
    public const string CustomerMember = "CustomerMember";

    /// <summary>For <c>[Authorize(Roles = ...)]</c> on portal pages.</summary>
    public const string AnyCustomer = CustomerOwner + "," + CustomerMember;

    public static readonly IReadOnlyList<string> All = [Admin, CustomerOwner, CustomerMember];

    public static bool IsCustomerRole(string role) => role is CustomerOwner or CustomerMember;
}
