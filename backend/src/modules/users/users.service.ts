import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity } from './user.entity';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** By username or email, case-insensitively (both are unique that way). */
  findByLogin(login: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:login) OR lower(u.email) = lower(:login)', { login })
      .orderBy('lower(u.username) = lower(:login)', 'DESC')
      .getOne();
  }

  /** The admin's users page shows it ("last sign-in"). */
  async touchLastLogin(id: string): Promise<void> {
    await this.users.update({ id }, { lastLoginAt: new Date() });
  }

  async isTaken(field: 'email' | 'username', value: string, exceptId?: string): Promise<boolean> {
    const qb = this.users.createQueryBuilder('u').where(`lower(u.${field}) = lower(:value)`, { value });
    if (exceptId) qb.andWhere('u.id <> :exceptId', { exceptId });
    return (await qb.getCount()) > 0;
  }
}
