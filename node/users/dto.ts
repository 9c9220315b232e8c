import type { UserRow } from './repo.ts'

/** Immich's UserResponseDto: what anyone signed in may see of another user. */
export function toUserDto (u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    profileImagePath: '',
    avatarColor: 'primary',
    profileChangedAt: u.updated_at.toISOString(),
  }
}

/** Immich's UserAdminResponseDto: what a user sees of themself and an admin of everyone. */
export function toUserAdminDto (u: UserRow) {
  return {
    ...toUserDto(u),
    storageLabel: u.storage_label,
    shouldChangePassword: u.should_change_password,
    isAdmin: u.is_admin,
    createdAt: u.created_at.toISOString(),
    updatedAt: u.updated_at.toISOString(),
    deletedAt: null,
    oauthId: '',
    quotaSizeInBytes: u.quota_size_in_bytes,
    quotaUsageInBytes: u.quota_usage_in_bytes,
    status: 'active',
    license: null,
  }
}
